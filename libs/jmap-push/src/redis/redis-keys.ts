/** The key prefix used when none is given. */
export const DEFAULT_KEY_PREFIX = 'jmap-push:';

/**
 * The Redis keys one bus uses: a single Redis stream, the change log, that every node reads, and one hash
 * of latest states per account. All keys share the prefix, so a test (or a second deployment) can live
 * beside another.
 *
 * On Redis Cluster, put a hash tag in the prefix (`{jmap-push}:`): the publish transaction touches the
 * change log and an account's hash, which must then live in one slot (`toRedisConnection` checks it). The
 * whole bus then lives on one master (and its replicas): a cluster adds failover here, not write capacity.
 */
export class RedisKeys {
  /** The change log: the Redis stream every change is appended to (named `<prefix>stream`). */
  readonly changeLog: string;

  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {
    this.changeLog = `${prefix}stream`;
  }

  /** The hash of an account's latest states, type name to state. */
  latest(accountId: string): string {
    return `${this.prefix}latest:${accountId}`;
  }
}

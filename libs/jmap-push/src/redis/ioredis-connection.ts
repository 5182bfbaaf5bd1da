import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { ConnectionUse, OwnedRedisConnection, RedisReply } from './redis-connection.interface';
import { waitForEvent } from './wait-for-event';

/** An ioredis client: one server (`Redis`) or a Redis Cluster (`Cluster`). */
export type IoRedisClient = Redis | Cluster;

/** True for an ioredis client, `Redis` or `Cluster` (ioredis has `status` and `call`; node-redis has neither). */
export function isIoRedis(client: unknown): client is IoRedisClient {
  const candidate = client as Partial<Redis> | null;
  return typeof candidate?.call === 'function' && typeof candidate.status === 'string';
}

/** True for an ioredis `Cluster` (ioredis marks both kinds with `isCluster`). */
export function isIoRedisCluster(client: IoRedisClient): client is Cluster {
  return client.isCluster;
}

/**
 * A `RedisConnection` over an ioredis client. Commands are sent with `call()` and upper-case names, which
 * keeps ioredis's reply transformers (e.g. HGETALL to an object) out of the way: replies stay raw.
 *
 * On a `Cluster`, ioredis routes each command, and each MULTI, to the master that owns its keys' slot
 * (the bus's keys share one slot through the hash tag in their prefix), and follows MOVED and ASK, so the
 * blocking XREAD waits on the master that owns the change log, and moves with it after a failover.
 */
export class IoRedisConnection implements OwnedRedisConnection {
  private closing = false;

  constructor(private readonly client: IoRedisClient) {}

  isReady(): boolean {
    return this.client.status === 'ready';
  }

  waitReady(timeoutMs: number): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    // 'end': ioredis gave up reconnecting (or `quit()` was called); it will never be ready again.
    if (this.client.status === 'end') return Promise.reject(new Error('Redis connection is closed'));
    return waitForEvent(this.client, 'ready', 'end', timeoutMs);
  }

  send(args: readonly string[]): Promise<RedisReply> {
    const [command, ...rest] = this.withClientPrefix(args);
    return this.client.call(command, ...rest) as Promise<RedisReply>;
  }

  async transaction(commands: ReadonlyArray<readonly string[]>): Promise<Array<RedisReply | Error>> {
    const multi = this.client.multi();
    for (const args of commands) {
      const [command, ...rest] = this.withClientPrefix(args);
      multi.call(command, ...rest);
    }
    const results = await multi.exec();
    // `null` only follows a failed WATCH, which the bus never uses; treat it as a failure all the same.
    if (!results) throw new Error('Redis transaction was aborted');
    return results.map(([error, reply]) => error ?? (reply as RedisReply));
  }

  duplicate(connectionName: string, use: ConnectionUse): OwnedRedisConnection {
    const copy = isIoRedisCluster(this.client)
      ? duplicateCluster(this.client, connectionName, use)
      : this.client.duplicate({
          ...serverOptions(connectionName, use),
          enableOfflineQueue: use === 'blocking-reads',
          lazyConnect: false,
          enableAutoPipelining: false,
        });
    // Without a listener ioredis prints every connection error; failures reach callers as rejections.
    copy.on('error', () => undefined);
    return new IoRedisConnection(copy);
  }

  /**
   * ioredis adds its own `keyPrefix` option to the keys of most commands, but not to `XINFO STREAM <key>`
   * (it does not know where that key sits); add it there, so every command names the same key.
   */
  private withClientPrefix(args: readonly string[]): readonly string[] {
    const prefix = this.client.options.keyPrefix;
    if (!prefix || args[0] !== 'XINFO' || args.length < 3) return args;
    return [args[0], args[1], prefix + args[2], ...args.slice(3)];
  }

  close(): Promise<void> {
    // `disconnect()`, not `quit()`: QUIT would queue behind a pending XREAD BLOCK for up to `blockMs`.
    // Only once: a second call on a closed socket arms a timer that keeps the process alive for 2 s.
    if (this.closing || this.client.status === 'end') return Promise.resolve();
    this.closing = true;
    this.client.disconnect();
    return Promise.resolve();
  }
}

/** Options of a duplicate's server connections that a `Cluster` passes on to each of them. */
type ServerOptions = Pick<
  RedisOptions,
  'connectionName' | 'commandTimeout' | 'maxRetriesPerRequest' | 'autoResendUnfulfilledCommands'
>;

/**
 * How one server connection of a duplicate is tuned (`enableOfflineQueue` aside: a `Cluster` has it per
 * cluster, and always queues on its server connections while they connect).
 */
function serverOptions(connectionName: string, use: ConnectionUse): ServerOptions {
  return use === 'blocking-reads'
    ? {
        connectionName,
        // XREAD BLOCK waits `blockMs` by design, and an unfulfilled XREAD is best re-sent as it was
        // (same offset) after a reconnection: no timeout, no giving up, queue while away.
        commandTimeout: undefined,
        maxRetriesPerRequest: null,
        autoResendUnfulfilledCommands: true,
      }
    : {
        connectionName,
        // Fail rather than wait or repeat: `withDeadline` bounds the wait, and a write in flight when
        // the connection drops must not be re-sent behind the caller's back after it was rejected.
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
      };
}

/**
 * A new `Cluster` with the same startup nodes and options, tuned as `duplicate` promises. `Cluster.duplicate`
 * takes startup nodes first and options second, and keeps its server connections' options under
 * `redisOptions`: given `Redis.duplicate`'s single argument, it would silently ignore it.
 *
 * Both read and write on the master of the slot (`scaleReads: 'master'`, whatever the application's client
 * does): a replica lags behind the writes the read loop must deliver.
 *
 * For writes, `retryDelayOnFailover: 0` turns off the one retry of a Cluster that may repeat a write: after
 * the connection closed with the command in flight (a hung master that is then replaced, say). ioredis
 * would send it again, to the new master, possibly after `publish()` rejected, and a stale state could land
 * after newer ones. It now fails as a write on one server does. The other retries stay: MOVED, ASK,
 * TRYAGAIN and CLUSTERDOWN come from a node that did not carry the command out.
 */
function duplicateCluster(cluster: Cluster, connectionName: string, use: ConnectionUse): Cluster {
  const options: ClusterOptions = {
    lazyConnect: false,
    enableAutoPipelining: false,
    scaleReads: 'master',
    enableOfflineQueue: use === 'blocking-reads',
    ...(use === 'writes' && { retryDelayOnFailover: 0 }),
    redisOptions: { ...cluster.options.redisOptions, ...serverOptions(connectionName, use) },
  };
  return cluster.duplicate([], options);
}

import { RedisKeys } from './redis-keys';

/**
 * The Redis keys of `RedisPushSubscriptionStore`, beside the bus's under the same prefix (the store reads
 * the bus's change log). Everything lives under `<prefix>wp:`, so it never meets a bus key:
 *
 * - `<prefix>wp:sub:<id>`: HASH, one subscription: its record (one JSON value per property) and its
 *   delivery state (`pending`, `inflight`, `lease`, `attempt`, `versions`). Destroying deletes the key.
 * - `<prefix>wp:cred:<credentialId>`: SET of the credential's subscription ids.
 * - `<prefix>wp:account:<accountId>`: SET of the ids of subscriptions whose principal may read the account.
 * - `<prefix>wp:creds`: SET of the credential ids that have subscriptions.
 * - `<prefix>wp:due`: ZSET of subscription ids with something to send, scored by when it falls due (epoch
 *   ms; while claimed, when the lease ends).
 *
 * Scripts and transactions touch several of these at once: on Redis Cluster the prefix needs a hash tag
 * (`{jmap-push}:`), which puts every key in one slot.
 */
export class PushSubscriptionKeys {
  /** The bus's change log, which the store's consumer group reads. */
  readonly changeLog: string;
  readonly credentials: string;
  readonly due: string;
  /** The prefix every key starts with, the bus's (on a Cluster it must hold a hash tag). */
  readonly prefix: string;
  private readonly base: string;

  constructor(prefix?: string) {
    const bus = new RedisKeys(prefix);
    this.prefix = bus.prefix;
    this.changeLog = bus.changeLog;
    this.base = `${bus.prefix}wp:`;
    this.credentials = `${this.base}creds`;
    this.due = `${this.base}due`;
  }

  subscription(id: string): string {
    return `${this.base}sub:${id}`;
  }

  credential(credentialId: string): string {
    return `${this.base}cred:${credentialId}`;
  }

  account(accountId: string): string {
    return `${this.base}account:${accountId}`;
  }
}

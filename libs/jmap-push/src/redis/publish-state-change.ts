import type { TypeState } from '../state/type-state';
import { toRedisConnection, type RedisClient } from './redis-client';
import { RedisKeys } from './redis-keys';
import { appendStateChange, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_MAX_LEN } from './state-change-writer';

/** Options of `publishStateChange`; use the values the nodes' `RedisPushBus` uses. */
export interface PublishStateChangeOptions {
  /** Prefix of every key; must equal the nodes' `keyPrefix`. Default `jmap-push:`. */
  keyPrefix?: string;
  /** Entries the stream keeps (approximately); should equal the nodes' `maxLen`. Default 10,000. */
  maxLen?: number;
  /** How long to wait for Redis before rejecting. Default 2,000 ms. */
  commandTimeoutMs?: number;
}

/**
 * Publishes a state change from outside Nest (a delivery worker, a cron job) to every node's streams.
 * Resolves with the change's event id; rejects when Redis is unreachable or refuses the write. The
 * client stays the caller's: it is not closed.
 *
 * @example
 * ```ts
 * const redis = new Redis(process.env.REDIS_URL);
 * await publishStateChange(redis, 'u1', { Email: 's42', EmailDelivery: 's42', Mailbox: 'm7' });
 * ```
 */
export async function publishStateChange(
  client: RedisClient,
  accountId: string,
  changed: TypeState,
  options: PublishStateChangeOptions = {},
): Promise<string> {
  return appendStateChange(
    toRedisConnection(client),
    {
      keys: new RedisKeys(options.keyPrefix),
      maxLen: options.maxLen ?? DEFAULT_MAX_LEN,
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    },
    accountId,
    changed,
  );
}

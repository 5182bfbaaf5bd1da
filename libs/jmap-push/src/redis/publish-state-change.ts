import { validStateChange } from '../state/state-change-check';
import type { TypeState } from '../state/type-state';
import { positiveIntegerOption } from '../util/positive-integer-option';
import { toRedisConnection, type RedisClient } from './redis-client';
import { RedisKeys } from './redis-keys';
import { appendStateChange, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_MAX_LEN } from './state-change-writer';

const OWNER = 'publishStateChange';

/** Options of `publishStateChange`; use the values the nodes' `RedisPushBus` uses. */
export interface PublishStateChangeOptions {
  /** Prefix of every key; must equal the nodes' `keyPrefix` (with a hash tag on Redis Cluster). Default `jmap-push:`. */
  keyPrefix?: string;
  /** Entries the change log keeps (approximately); should equal the nodes' `maxLen`. Default 10,000. */
  maxLen?: number;
  /** How long to wait for Redis before rejecting. Default 2,000 ms. */
  commandTimeoutMs?: number;
}

/**
 * Publishes a state change from outside Nest (a delivery worker, a cron job) to the streams of every node.
 * Resolves with the change's event id; rejects with `InvalidStateChangeError` for input no stream could
 * carry, and when Redis is unreachable or refuses the write. The client stays the caller's: it is not closed.
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
  const copy = validStateChange('publishStateChange()', accountId, changed);
  const keys = new RedisKeys(options.keyPrefix);
  return appendStateChange(
    toRedisConnection(client, keys.prefix),
    {
      keys,
      maxLen: positiveIntegerOption(OWNER, 'maxLen', options.maxLen, DEFAULT_MAX_LEN),
      commandTimeoutMs: positiveIntegerOption(
        OWNER,
        'commandTimeoutMs',
        options.commandTimeoutMs,
        DEFAULT_COMMAND_TIMEOUT_MS,
      ),
    },
    accountId,
    copy,
  );
}

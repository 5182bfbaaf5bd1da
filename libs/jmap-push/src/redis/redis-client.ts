import type { Cluster, Redis } from 'ioredis';
import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { IoRedisConnection, isIoRedis, isIoRedisCluster } from './ioredis-connection';
import { isNodeRedis, NodeRedisConnection, type NodeRedisClientLike } from './node-redis-connection';
import type { RedisConnection } from './redis-connection.interface';

/**
 * A Redis client the caller created and keeps owning: an ioredis `Redis` or `Cluster`, or a connected
 * node-redis client (`createClient()` from `redis` v4/v5, RESP2). `jmap-push/redis` never closes it.
 */
export type RedisClient = Redis | Cluster | NodeRedisClientLike;

/**
 * Wraps the caller's client; throws a `JmapPushConfigError` for anything that is neither ioredis nor
 * node-redis, and, given the `keyPrefix` of the keys it will be used for, for a Cluster with a prefix that
 * does not pin every key to one slot.
 */
export function toRedisConnection(client: RedisClient, keyPrefix?: string): RedisConnection {
  if (isIoRedis(client)) {
    // ioredis's own `keyPrefix` comes first in every key, so a hash tag there counts too.
    if (keyPrefix !== undefined && isIoRedisCluster(client)) {
      requireHashTag((client.options.keyPrefix ?? '') + keyPrefix);
    }
    return new IoRedisConnection(client);
  }
  if (isNodeRedis(client)) return new NodeRedisConnection(client);
  throw new JmapPushConfigError(
    'jmap-push/redis: `client` must be an ioredis client or Cluster, or a node-redis client (not a node-redis cluster)',
  );
}

/**
 * Every publish is one MULTI over the change log and an account's hash, and every replay one MULTI over the
 * change log: on a Cluster they must share a slot, which only a hash tag (`{…}`, non-empty, in the prefix)
 * guarantees (Redis hashes only what is between the first `{` and the next `}`). Without one every publish
 * would fail, so say so at startup instead.
 */
function requireHashTag(prefix: string): void {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (close > open + 1) return;
  throw new JmapPushConfigError(
    `jmap-push/redis: on a Redis Cluster, \`keyPrefix\` must contain a hash tag, e.g. \`{jmap-push}:\` (got ${JSON.stringify(prefix)})`,
  );
}

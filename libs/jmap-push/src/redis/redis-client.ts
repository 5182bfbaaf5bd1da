import type { Redis } from 'ioredis';
import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { IoRedisConnection, isIoRedis } from './ioredis-connection';
import { isNodeRedis, NodeRedisConnection, type NodeRedisClientLike } from './node-redis-connection';
import type { RedisConnection } from './redis-connection.interface';

/**
 * A Redis client the caller created and keeps owning: an ioredis `Redis`, or a connected node-redis client
 * (`createClient()` from `redis` v4/v5, RESP2). `jmap-push/redis` never closes it.
 */
export type RedisClient = Redis | NodeRedisClientLike;

/** Wraps the caller's client; throws a `JmapPushConfigError` for anything that is neither ioredis nor node-redis. */
export function toRedisConnection(client: RedisClient): RedisConnection {
  if (isIoRedis(client)) return new IoRedisConnection(client);
  if (isNodeRedis(client)) return new NodeRedisConnection(client);
  throw new JmapPushConfigError('jmap-push/redis: `client` must be an ioredis or node-redis client');
}

/**
 * `jmap-push/redis`: the Redis Streams bus and the push subscription store for running jmap-push on many nodes. Only this entry point
 * imports Redis code; the core never does.
 */
export { RedisPushBus } from './redis-push-bus';
export type { RedisPushBusOptions } from './redis-push-bus-options.interface';
export { publishStateChange, type PublishStateChangeOptions } from './publish-state-change';
export type { RedisClient } from './redis-client';
export type { NodeRedisClientLike } from './node-redis-connection';
export { DEFAULT_KEY_PREFIX } from './redis-keys';
export { RedisPushSubscriptionStore } from './redis-push-subscription-store';
export type { RedisPushSubscriptionStoreOptions } from './redis-push-subscription-store-options.interface';

import type { Provider } from '@nestjs/common';
import type { PushSubscriptionStore } from 'jmap-push';
import { RedisPushSubscriptionStore } from 'jmap-push/redis';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { ServerRedis } from './server-redis';

/** DI token of the push subscription store this server hands to `JmapPushModule` (`undefined`: in memory). */
export const SERVER_PUSH_SUBSCRIPTION_STORE = Symbol('ServerPushSubscriptionStore');

/**
 * Where push subscriptions live, chosen with the bus. Without `REDIS_URL`, the module's in-memory store
 * (they end with the process); with it, one store in Redis under the bus's prefix for every node: a
 * subscription made on one node is pushed to by whichever node takes the change, and survives restarts.
 */
export function createPushSubscriptionStore(
  config: ServerConfig,
  redis: ServerRedis,
): PushSubscriptionStore | undefined {
  if (!redis.client) return undefined;
  return new RedisPushSubscriptionStore({ client: redis.client, keyPrefix: config.redisKeyPrefix });
}

export const pushSubscriptionStoreProvider: Provider = {
  provide: SERVER_PUSH_SUBSCRIPTION_STORE,
  // Wrapped in an object: Nest would treat a factory's bare `undefined` as a missing value.
  useFactory: (config: ServerConfig, redis: ServerRedis): { store: PushSubscriptionStore | undefined } => ({
    store: createPushSubscriptionStore(config, redis),
  }),
  inject: [SERVER_CONFIG, ServerRedis],
};

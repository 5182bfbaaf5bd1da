import type { Provider } from '@nestjs/common';
import type { PushBus } from 'jmap-push';
import { RedisPushBus } from 'jmap-push/redis';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { ServerRedis } from './server-redis';

/** DI token of the bus this server hands to `JmapPushModule` (`undefined`: the module's default). */
export const SERVER_PUSH_BUS = Symbol('ServerPushBus');

/**
 * The one place the push bus is chosen. Without `REDIS_URL`, `undefined` lets `JmapPushModule` use its
 * in-memory bus, right for a single process; with it, every node shares one Redis stream, so two
 * `npm start` processes on two ports push to each other's clients.
 */
export function createPushBus(config: ServerConfig, redis: ServerRedis): PushBus | undefined {
  if (!redis.client) return undefined;
  return new RedisPushBus({ client: redis.client, keyPrefix: config.redisKeyPrefix });
}

export const pushBusProvider: Provider = {
  provide: SERVER_PUSH_BUS,
  // Wrapped in an object: Nest would treat a factory's bare `undefined` as a missing value.
  useFactory: (config: ServerConfig, redis: ServerRedis): { bus: PushBus | undefined } => ({
    bus: createPushBus(config, redis),
  }),
  inject: [SERVER_CONFIG, ServerRedis],
};

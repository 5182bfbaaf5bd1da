import type { Provider } from '@nestjs/common';
import type { PushBus } from 'jmap-push';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';

/** DI token of the bus this server hands to `JmapPushModule` (`undefined`: the module's default). */
export const SERVER_PUSH_BUS = Symbol('ServerPushBus');

/**
 * The one place the push bus is chosen. `undefined` lets `JmapPushModule` use its in-memory bus, right
 * for a single process; a multi-node deployment returns a shared bus here.
 */
export function createPushBus(_config: ServerConfig): PushBus | undefined {
  return undefined;
}

export const pushBusProvider: Provider = {
  provide: SERVER_PUSH_BUS,
  // Wrapped in an object: Nest would treat a factory's bare `undefined` as a missing value.
  useFactory: (config: ServerConfig): { bus: PushBus | undefined } => ({ bus: createPushBus(config) }),
  inject: [SERVER_CONFIG],
};

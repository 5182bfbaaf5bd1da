import { Controller, type Type } from '@nestjs/common';
import { DirectEventSourceController } from './direct-event-source.controller';
import { EventSourceController } from './event-source.controller';

const TRANSPORTS = { sse: EventSourceController, direct: DirectEventSourceController } as const;

/**
 * A controller class of the event source at `path`. Decorators fix routes when a class is defined, so
 * each module gets its own subclass: two apps in one process (tests, multi-tenant hosts) can use two paths.
 */
export function createEventSourceController(path: string, transport: 'sse' | 'direct'): Type<unknown> {
  const Base = TRANSPORTS[transport] as Type<object> | undefined;
  if (!Base) throw new Error(`JmapPushModule: unknown transport "${String(transport)}"; use "sse" or "direct"`);
  class ConfiguredEventSourceController extends Base {}
  Controller(path)(ConfiguredEventSourceController);
  return ConfiguredEventSourceController;
}

import { Controller, type Type } from '@nestjs/common';
import { EventSourceController } from './event-source.controller';

/**
 * A controller class of the event source at `path`. Decorators fix routes when a class is defined, so
 * each module gets its own subclass: two apps in one process (tests, multi-tenant hosts) can use two paths.
 */
export function createEventSourceController(path: string, transport: 'sse' | 'direct'): Type<unknown> {
  if (transport !== 'sse') throw new Error(`JmapPushModule: unknown transport "${String(transport)}"`);
  class ConfiguredEventSourceController extends EventSourceController {}
  Controller(path)(ConfiguredEventSourceController);
  return ConfiguredEventSourceController;
}

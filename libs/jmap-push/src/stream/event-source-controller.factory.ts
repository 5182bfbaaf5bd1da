import { Controller, type Type } from '@nestjs/common';
import { BrowserSessionController } from '../auth/browser-session.controller';
import { DirectEventSourceController } from './direct-event-source.controller';
import { EventSourceController } from './event-source.controller';

const TRANSPORTS = { sse: EventSourceController, direct: DirectEventSourceController } as const;

/** Defines `Base`'s routes under `path` on a subclass of its own, leaving `Base` untouched. */
function mount(Base: Type<object>, path: string): Type<unknown> {
  class Mounted extends Base {}
  Object.defineProperty(Mounted, 'name', { value: Base.name });
  Controller(path)(Mounted);
  return Mounted;
}

/**
 * The controllers of one module: the event source at `path` and browser sign-in at `path/session`.
 * Decorators fix routes when a class is defined, so each module mounts subclasses of its own: two apps
 * in one process (tests, multi-tenant hosts) can use two paths.
 */
export function createEventSourceControllers(path: string, transport: 'sse' | 'direct'): Type<unknown>[] {
  // The transport comes from the module options: unchecked when the host is plain JavaScript.
  const requested: unknown = transport;
  const EventSource = TRANSPORTS[transport] as Type<object> | undefined;
  if (!EventSource) throw new Error(`JmapPushModule: unknown transport "${String(requested)}"; use "sse" or "direct"`);
  const base = path.replace(/^\/+|\/+$/g, '');
  return [mount(EventSource, base), mount(BrowserSessionController, `${base}/session`)];
}

import { Controller, type Type } from '@nestjs/common';
import { BrowserSessionController } from './auth/browser-session.controller';
import { DirectEventSourceController } from './event-source/direct-event-source.controller';
import { EventSourceController } from './event-source/event-source.controller';
import { JmapPushConfigError } from './errors/jmap-push-config.error';
import type { JmapPushModuleExtras } from './jmap-push-options.interface';

const TRANSPORTS = { sse: EventSourceController, direct: DirectEventSourceController } as const;

/** Defines `Base`'s routes under `path` on a subclass of its own, leaving `Base` untouched. */
function mount(Base: Type<object>, path: string): Type<unknown> {
  class Mounted extends Base {}
  Object.defineProperty(Mounted, 'name', { value: Base.name });
  Controller(path)(Mounted);
  return Mounted;
}

/**
 * The controllers of one module: the event source at `path` and, with `browserSignIn`, browser sign-in
 * at `path/session`. Decorators fix routes when a class is defined, so each module mounts subclasses of
 * its own: two apps in one process (tests, multi-tenant hosts) can use two paths.
 */
export function createControllers(extras: Required<JmapPushModuleExtras>): Type<unknown>[] {
  // The transport comes from the module options: unchecked when the host is plain JavaScript.
  const requested: unknown = extras.transport;
  const EventSource = TRANSPORTS[extras.transport] as Type<object> | undefined;
  if (!EventSource) {
    throw new JmapPushConfigError(`JmapPushModule: unknown transport "${String(requested)}"; use "sse" or "direct"`);
  }
  const controllers = [mount(EventSource, extras.path)];
  if (extras.browserSignIn) controllers.push(mount(BrowserSessionController, `${extras.path}/session`));
  return controllers;
}

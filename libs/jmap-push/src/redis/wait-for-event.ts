import { withTimeout } from '../util/with-timeout';

/** The event-emitter methods `waitForEvent` needs (ioredis and node-redis clients both have them). */
export interface ConnectionEvents {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Resolves on the first `readyEvent`; rejects on `failEvent` or after `timeoutMs`. Listeners are always
 * removed, so waiting often (every publish while Redis is away) leaks nothing.
 */
export function waitForEvent(
  emitter: ConnectionEvents,
  readyEvent: string,
  failEvent: string,
  timeoutMs: number,
): Promise<void> {
  let removeListeners = (): void => undefined;
  const event = new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      resolve();
    };
    const onFail = (): void => {
      reject(new Error('Redis connection is closed'));
    };
    emitter.once(readyEvent, onReady);
    emitter.once(failEvent, onFail);
    removeListeners = () => {
      emitter.removeListener(readyEvent, onReady);
      emitter.removeListener(failEvent, onFail);
    };
  });
  return withTimeout(
    () => event,
    timeoutMs,
    () => new Error(`Redis is not reachable (waited ${timeoutMs} ms for a connection)`),
  ).finally(() => {
    removeListeners();
  });
}

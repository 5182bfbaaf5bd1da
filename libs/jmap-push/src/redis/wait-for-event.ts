/** The event-emitter methods `waitForEvent` needs (ioredis and node-redis clients both have them). */
export interface EventSource {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Resolves on the first `readyEvent`; rejects on `failEvent` or after `timeoutMs`. Listeners are always
 * removed, so waiting often (every publish while Redis is away) leaks nothing.
 */
export function waitForEvent(
  emitter: EventSource,
  readyEvent: string,
  failEvent: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.removeListener(readyEvent, onReady);
      emitter.removeListener(failEvent, onFail);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onFail = (): void => {
      cleanup();
      reject(new Error('Redis connection is closed'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis is not reachable (waited ${timeoutMs} ms for a connection)`));
    }, timeoutMs);
    emitter.once(readyEvent, onReady);
    emitter.once(failEvent, onFail);
  });
}

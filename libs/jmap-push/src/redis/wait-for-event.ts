import { withTimeout } from '../util/with-timeout';

/** The event-emitter methods `waitForEvent` needs (ioredis and node-redis clients both have them). */
export interface ConnectionEvents {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * The one wait per client and pair of events that every caller shares. Each publish made while Redis is
 * away waits for its client to be ready: with a listener pair per caller, a dozen publishes in flight
 * passed the emitter's listener limit (a `MaxListenersExceededWarning`), thousands would pile up listeners.
 */
const pending = new WeakMap<ConnectionEvents, Map<string, Promise<void>>>();

/**
 * Resolves on the first `readyEvent`; rejects on `failEvent` or after `timeoutMs`. Callers waiting on the
 * same client at once share one pair of listeners, removed when either event comes, so waiting often
 * (every publish while Redis is away) adds at most two listeners to a client, whatever the number of waits.
 */
export function waitForEvent(
  emitter: ConnectionEvents,
  readyEvent: string,
  failEvent: string,
  timeoutMs: number,
): Promise<void> {
  return withTimeout(
    () => sharedWait(emitter, readyEvent, failEvent),
    timeoutMs,
    () => new Error(`Redis is not reachable (waited ${timeoutMs} ms for a connection)`),
  );
}

function sharedWait(emitter: ConnectionEvents, readyEvent: string, failEvent: string): Promise<void> {
  const key = `${readyEvent}\n${failEvent}`;
  let waits = pending.get(emitter);
  const existing = waits?.get(key);
  if (existing) return existing;
  const wait = new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      settled();
      resolve();
    };
    const onFail = (): void => {
      settled();
      reject(new Error('Redis connection is closed'));
    };
    const settled = (): void => {
      emitter.removeListener(readyEvent, onReady);
      emitter.removeListener(failEvent, onFail);
      pending.get(emitter)?.delete(key);
    };
    emitter.once(readyEvent, onReady);
    emitter.once(failEvent, onFail);
  });
  // Every caller may have timed out by the time the client ends: nobody is left to hear that rejection.
  wait.catch(() => undefined);
  if (!waits) pending.set(emitter, (waits = new Map<string, Promise<void>>()));
  waits.set(key, wait);
  return wait;
}

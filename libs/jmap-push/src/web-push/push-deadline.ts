import { EventEmitter } from 'node:events';

/**
 * The deadline of one push request, given to undici's `request` as its `signal` (undici takes an
 * AbortSignal or an EventEmitter with `aborted` and `reason`): when `ms` pass it aborts with a
 * `TimeoutError`, which also ends a response body still being read. An EventEmitter and one timer,
 * because an AbortController (an EventTarget) per push costs a measurable part of a push's CPU at
 * thousands of pushes a second. `clear()` once the request is over.
 */
export class PushDeadline extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = new DOMException('The push request timed out', 'TimeoutError');
      this.emit('abort');
    }, ms);
    // As AbortSignal.timeout's: a push in flight does not hold the process open.
    this.timer.unref();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

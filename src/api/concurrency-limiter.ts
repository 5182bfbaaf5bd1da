import { Injectable } from '@nestjs/common';

/** Counts requests in flight per user, for `maxConcurrentRequests` / `maxConcurrentUpload` (RFC 8620 section 2). */
@Injectable()
export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();

  /** Takes a slot under `key` if fewer than `limit` are taken; returns its release, or `undefined`. */
  acquire(key: string, limit: number): (() => void) | undefined {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= limit) return undefined;
    this.inFlight.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.inFlight.get(key) ?? 1) - 1;
      if (remaining === 0) this.inFlight.delete(key);
      else this.inFlight.set(key, remaining);
    };
  }
}

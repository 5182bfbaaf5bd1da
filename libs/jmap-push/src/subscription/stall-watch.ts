import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { PushSettings } from '../push-settings';
import type { EndReason } from './end-reason';

/** A subscription that can be cut off when its client stops reading for too long. */
export interface StallTarget {
  /** With `stalled`, the channel destroys the connection: ending politely would wait for a client that does not read. */
  end(reason: EndReason): void;
}

/**
 * Closes streams whose client has not taken a single write for `stalledStreamTimeoutMs`. Merging keeps
 * a stalled stream's memory bounded; this frees its socket too. One timer, running only while some
 * stream is stalled.
 */
@Injectable()
export class StallWatch implements OnModuleDestroy {
  private readonly stalledSince = new Map<StallTarget, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(PUSH_SETTINGS) private readonly settings: PushSettings) {}

  /** The client stopped reading (idempotent: the first call sets the clock). */
  stalled(target: StallTarget): void {
    if (this.stalledSince.has(target)) return;
    this.stalledSince.set(target, performance.now());
    if (!this.timer) {
      const sweepEvery = Math.max(50, Math.min(5_000, this.settings.stalledStreamTimeoutMs / 4));
      this.timer = setInterval(() => {
        this.sweep();
      }, sweepEvery);
      this.timer.unref();
    }
  }

  /** The client read again, or the stream ended. */
  resumed(target: StallTarget): void {
    this.stalledSince.delete(target);
    if (this.stalledSince.size === 0) this.stop();
  }

  /** Streams being watched (for tests and leak checks). */
  get size(): number {
    return this.stalledSince.size;
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private sweep(): void {
    const deadline = performance.now() - this.settings.stalledStreamTimeoutMs;
    for (const [target, since] of this.stalledSince) {
      if (since <= deadline) {
        this.stalledSince.delete(target);
        target.end('stalled');
      }
    }
    if (this.stalledSince.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

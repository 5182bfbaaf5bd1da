import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { PushSettings } from '../push-settings';
import type { EndReason } from './end-reason';

/** A subscription that can be cut off when its client stops reading for too long. */
export interface StallTarget {
  /** With `stalled`, the channel destroys the connection: ending politely would wait for a client that does not read. */
  end(reason: EndReason): void;
  /** Bytes handed on so far (`PushSink.progress`): the clock restarts whenever they grow. */
  progress(): number;
}

/**
 * Closes streams whose client has taken nothing for `stalledStreamTimeoutMs`: no write drained and no
 * byte more handed on to the network. Merging keeps
 * a stalled stream's memory bounded; this frees its socket too. One timer, running only while some
 * stream is stalled.
 */
@Injectable()
export class StallWatch implements OnModuleDestroy {
  /** Since when each target has made no progress, and how much it had made then. */
  private readonly stalledSince = new Map<StallTarget, { since: number; progress: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(PUSH_SETTINGS) private readonly settings: PushSettings) {}

  /** The client stopped reading (idempotent: the first call sets the clock). */
  stalled(target: StallTarget): void {
    if (this.stalledSince.has(target)) return;
    this.stalledSince.set(target, { since: performance.now(), progress: target.progress() });
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
    const now = performance.now();
    const deadline = now - this.settings.stalledStreamTimeoutMs;
    for (const [target, clock] of this.stalledSince) {
      const progress = target.progress();
      if (progress !== clock.progress) {
        // Still reading, slowly: the clock restarts.
        clock.since = now;
        clock.progress = progress;
      } else if (clock.since <= deadline) {
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

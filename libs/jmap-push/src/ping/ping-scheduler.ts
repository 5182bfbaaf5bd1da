import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/** What the scheduler needs of a stream: when it next owes a ping, and a way to send it. */
export interface PingTarget {
  /** `performance.now()` time at which a ping is due; pushed back by every event the stream sends. */
  readonly pingDueAt: number;
  /** Sends the ping (or, while the client is not reading, skips it) and pushes `pingDueAt` back. */
  sendPing(now: number): void;
}

/** Ticks of the wheel, in milliseconds: pings are at most this late. */
const TICK_MS = 250;

/**
 * One timer for every stream's pings: a timing wheel of `TICK_MS` slots. Sending an event only moves the
 * stream's due time (no timer work on the hot path); a slot that comes due re-files streams that were
 * pushed back. The timer runs only while some stream wants pings, and never keeps the process alive.
 */
@Injectable()
export class PingScheduler implements OnModuleDestroy {
  private readonly slots = new Map<number, Set<PingTarget>>();
  private readonly slotOf = new Map<PingTarget, number>();
  private timer: NodeJS.Timeout | undefined;
  private cursor = 0;

  /** Files a stream under its due time. */
  schedule(target: PingTarget): void {
    if (!this.timer) {
      this.cursor = Math.floor(performance.now() / TICK_MS);
      this.timer = setInterval(() => {
        this.tick();
      }, TICK_MS);
      this.timer.unref();
    }
    // Never file behind the cursor: that slot has been swept and would hold the stream forever.
    const slot = Math.max(Math.ceil(target.pingDueAt / TICK_MS), this.cursor + 1);
    this.unschedule(target);
    let bucket = this.slots.get(slot);
    if (!bucket) this.slots.set(slot, (bucket = new Set()));
    bucket.add(target);
    this.slotOf.set(target, slot);
  }

  unschedule(target: PingTarget): void {
    const slot = this.slotOf.get(target);
    if (slot === undefined) return;
    this.slotOf.delete(target);
    const bucket = this.slots.get(slot);
    bucket?.delete(target);
    if (bucket?.size === 0) this.slots.delete(slot);
  }

  /** Streams currently filed (for tests and metrics). */
  get size(): number {
    return this.slotOf.size;
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private tick(): void {
    const now = performance.now();
    const last = Math.floor(now / TICK_MS);
    for (; this.cursor <= last; this.cursor++) {
      const bucket = this.slots.get(this.cursor);
      if (!bucket) continue;
      this.slots.delete(this.cursor);
      for (const target of bucket) {
        this.slotOf.delete(target);
        if (target.pingDueAt <= now + TICK_MS / 2) target.sendPing(now);
        this.schedule(target);
      }
    }
    if (this.slotOf.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

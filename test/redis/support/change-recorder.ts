import type { PublishedChange, PushBus } from '../../../libs/jmap-push/src/bus/push-bus.interface';

/**
 * Records what a bus delivers to its listener, and lets a test await a count of deliveries (resolving on
 * the delivery itself, never on a guessed delay).
 */
export class ChangeRecorder {
  readonly changes: PublishedChange[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly stop: () => void;

  constructor(bus: PushBus) {
    this.stop = bus.listen((change) => {
      this.changes.push(change);
      this.waiters = this.waiters.filter((waiter) => {
        if (this.changes.length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
    });
  }

  get ids(): string[] {
    return this.changes.map((change) => change.id);
  }

  /** Resolves once `count` changes in total were delivered; rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs = 5_000): Promise<PublishedChange[]> {
    if (this.changes.length >= count) return Promise.resolve(this.changes);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`expected ${count} deliveries, got ${this.changes.length} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.changes);
        },
      });
    });
  }

  /** Resolves once the change with this id was delivered. */
  async waitForId(id: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ids.includes(id)) {
      await this.waitForCount(this.changes.length + 1, Math.max(1, deadline - Date.now()));
    }
  }
}

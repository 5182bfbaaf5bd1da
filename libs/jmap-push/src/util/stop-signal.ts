/** What `StopSignal.race` resolves with once the signal was given before the work settled. */
export const STOPPED: unique symbol = Symbol('stopped');

/**
 * A one-way "stop" for a long-running loop: lets each wait of the loop end early when the loop is stopped,
 * without the wait outliving the work it raced.
 *
 * Racing every command against one long-lived promise (`Promise.race([work, stopping])`) attaches a reaction
 * to `stopping` per call, and each reaction keeps the race's promise and so its value (the whole reply) alive
 * until `stopping` settles, which for a read loop is never: memory grows with every reply read. Here each
 * wait registers a callback that is removed as soon as its work settles.
 */
export class StopSignal {
  private given = false;
  private readonly waiters = new Set<() => void>();

  /** Whether `stop()` was called. */
  get stopped(): boolean {
    return this.given;
  }

  /** Gives the signal: every pending `race` and `pause` ends now; later ones end at once. */
  stop(): void {
    if (this.given) return;
    this.given = true;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Settles as `work` does, or resolves with `STOPPED` once the signal is given first (a `work` left behind
   * may still reject later; the race has handled that). The stop promise is this call's own and is dropped
   * with its callback when `work` settles.
   */
  race<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    let onStop!: () => void;
    const stopped = new Promise<typeof STOPPED>((resolve) => {
      onStop = () => {
        resolve(STOPPED);
      };
    });
    if (this.given) onStop();
    else this.waiters.add(onStop);
    return Promise.race([work, stopped]).finally(() => this.waiters.delete(onStop));
  }

  /** Waits `ms`, or less if the signal is given meanwhile (at once if it was given already). */
  pause(ms: number): Promise<void> {
    if (this.given) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}

/**
 * Runs tasks of one key one after another, tasks of different keys side by side. `PushSubscription/set`
 * runs per credential through it, so two concurrent calls cannot both pass the quota check before
 * either has stored (in this process; nodes sharing a store can still race by one call each).
 * A key is forgotten as soon as its last task ends.
 */
export class KeyedSerializer {
  /** Per key, the end of its latest task (never rejected). */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests of the memory bound). */
  get size(): number {
    return this.tails.size;
  }
}

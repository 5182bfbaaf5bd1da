/**
 * Ids by time, earliest first: an indexed binary min-heap, so setting, moving or removing one id is
 * O(log n) and the earliest is at hand. Ids of the same time leave in the order they were set, as a
 * queue would. Each id is in it at most once.
 *
 * The in-memory store keeps its due pushes and its leases here: with thousands of subscriptions
 * pending, claiming the few a worker has room for must not look at every one of them.
 */
export class DueQueue {
  private readonly heap: Array<{ readonly id: string; at: number; seq: number }> = [];
  private readonly positions = new Map<string, number>();
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  /** Places `id` at `at`, moving it when it was in already (it then queues behind others of that time). */
  set(id: string, at: number): void {
    const seq = this.sequence++;
    const position = this.positions.get(id);
    if (position === undefined) {
      this.heap.push({ id, at, seq });
      this.positions.set(id, this.heap.length - 1);
      this.up(this.heap.length - 1);
      return;
    }
    const node = this.heap[position];
    node.at = at;
    node.seq = seq;
    this.down(this.up(position));
  }

  delete(id: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    this.positions.delete(id);
    const last = this.heap.pop() as { id: string; at: number; seq: number };
    if (position < this.heap.length) {
      this.heap[position] = last;
      this.positions.set(last.id, position);
      this.down(this.up(position));
    }
    return true;
  }

  /** The earliest id and its time, left in. */
  peek(): { readonly id: string; readonly at: number } | undefined {
    if (this.heap.length === 0) return undefined;
    const first = this.heap[0];
    return { id: first.id, at: first.at };
  }

  /** Takes out and returns the earliest id when its time is at or before `now`. */
  popDue(now: number): string | undefined {
    if (this.heap.length === 0) return undefined;
    const first = this.heap[0];
    if (first.at > now) return undefined;
    this.delete(first.id);
    return first.id;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a];
    const y = this.heap[b];
    this.heap[a] = y;
    this.heap[b] = x;
    this.positions.set(y.id, a);
    this.positions.set(x.id, b);
  }

  private up(position: number): number {
    let i = position;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
    return i;
  }

  private down(position: number): void {
    let i = position;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.before(left, smallest)) smallest = left;
      if (right < this.heap.length && this.before(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}

import { DueQueue } from './due-queue';

/** Every id due at `now`, in the order the queue hands them out. */
function drain(queue: DueQueue, now: number): string[] {
  const out: string[] = [];
  for (let id = queue.popDue(now); id !== undefined; id = queue.popDue(now)) out.push(id);
  return out;
}

describe('DueQueue', () => {
  it('hands out only what is due, earliest first, ties in the order they were set', () => {
    const queue = new DueQueue();
    queue.set('c', 30);
    queue.set('a', 10);
    queue.set('b2', 20);
    queue.set('b1', 20);
    queue.set('late', 100);
    expect(queue.peek()).toEqual({ id: 'a', at: 10 });
    expect(drain(queue, 30)).toEqual(['a', 'b2', 'b1', 'c']);
    expect(queue.popDue(99)).toBeUndefined();
    expect(queue.size).toBe(1);
    expect(drain(queue, 100)).toEqual(['late']);
    expect(queue.peek()).toBeUndefined();
  });

  it('moves an id it holds instead of holding it twice, behind others of its new time', () => {
    const queue = new DueQueue();
    queue.set('a', 10);
    queue.set('b', 20);
    queue.set('a', 20);
    queue.set('c', 5);
    queue.set('c', 50);
    expect(queue.size).toBe(3);
    expect(drain(queue, 100)).toEqual(['b', 'a', 'c']);
  });

  it('removes an id from anywhere, and says whether it held it', () => {
    const queue = new DueQueue();
    for (let i = 0; i < 10; i++) queue.set(`s${i}`, i);
    expect(queue.delete('s0')).toBe(true);
    expect(queue.delete('s5')).toBe(true);
    expect(queue.delete('s5')).toBe(false);
    expect(queue.has('s5')).toBe(false);
    expect(queue.has('s6')).toBe(true);
    expect(drain(queue, 100)).toEqual(['s1', 's2', 's3', 's4', 's6', 's7', 's8', 's9']);
  });

  it('keeps the order of a sorted list through random sets, moves and removals', () => {
    const queue = new DueQueue();
    const model = new Map<string, { at: number; seq: number }>();
    let seq = 0;
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 5000; step++) {
      const id = `s${random(300)}`;
      if (random(4) === 0) {
        expect(queue.delete(id)).toBe(model.delete(id));
      } else {
        const at = random(1000);
        queue.set(id, at);
        model.set(id, { at, seq: seq++ });
      }
    }
    const expected = [...model.entries()]
      .sort(([, x], [, y]) => x.at - y.at || x.seq - y.seq)
      .filter(([, x]) => x.at <= 600)
      .map(([id]) => id);
    expect(drain(queue, 600)).toEqual(expected);
    expect(queue.size).toBe([...model.values()].filter((x) => x.at > 600).length);
  });
});

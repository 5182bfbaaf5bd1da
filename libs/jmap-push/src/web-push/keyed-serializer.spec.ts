import { KeyedSerializer } from './keyed-serializer';

/** A promise and its resolver, to hold a task open until the test lets it end. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('KeyedSerializer', () => {
  it('runs the tasks of one key one after another, in order', async () => {
    const serializer = new KeyedSerializer();
    const first = gate();
    const events: string[] = [];
    const a = serializer.run('k', async () => {
      events.push('a start');
      await first.opened;
      events.push('a end');
      return 'a';
    });
    const b = serializer.run('k', () => {
      events.push('b');
      return Promise.resolve('b');
    });
    await new Promise(setImmediate);
    expect(events).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b']);
  });

  it('runs tasks of other keys meanwhile', async () => {
    const serializer = new KeyedSerializer();
    const held = gate();
    const slow = serializer.run('one', () => held.opened);
    expect(await serializer.run('two', () => Promise.resolve('done'))).toBe('done');
    held.open();
    await slow;
  });

  it('goes on after a task fails, and passes the failure to its caller only', async () => {
    const serializer = new KeyedSerializer();
    const failed = serializer.run('k', () => Promise.reject(new Error('store down')));
    const next = serializer.run('k', () => Promise.resolve(2));
    await expect(failed).rejects.toThrow('store down');
    expect(await next).toBe(2);
  });

  it('forgets a key once its last task ended', async () => {
    const serializer = new KeyedSerializer();
    await Promise.all([
      serializer.run('a', () => Promise.resolve()),
      serializer.run('b', () => Promise.reject(new Error('x'))).catch(() => undefined),
    ]);
    await new Promise(setImmediate);
    expect(serializer.size).toBe(0);
  });
});

import fc from 'fast-check';
import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { compareEventIds, parseEventId } from './event-id';
import { InMemoryPushBus } from './in-memory-push-bus';
import type { PublishedChange } from './push-bus.interface';

describe('InMemoryPushBus', () => {
  it('delivers to listeners synchronously, inside publish()', () => {
    const bus = new InMemoryPushBus();
    const seen: PublishedChange[] = [];
    bus.listen((change) => seen.push(change));
    void bus.publish('a', { Email: 'e1' });
    expect(seen).toEqual([{ id: expect.any(String), accountId: 'a', changed: { Email: 'e1' } }]);
  });

  it('stops delivering to a listener once removed', async () => {
    const bus = new InMemoryPushBus();
    const seen: string[] = [];
    const stop = bus.listen((change) => seen.push(change.id));
    await bus.publish('a', { Email: 'e1' });
    stop();
    await bus.publish('a', { Email: 'e2' });
    expect(seen).toHaveLength(1);
  });

  it('issues growing ids, and currentId is the newest', async () => {
    const bus = new InMemoryPushBus();
    const start = bus.currentId();
    const a = await bus.publish('a', { Email: 'e1' });
    const b = await bus.publish('b', { Email: 'e1' });
    expect(bus.currentId()).toBe(b);
    const [s, x, y] = [start, a, b].map((id) => parseEventId(id)!);
    expect(compareEventIds(s, x)).toBeLessThan(0);
    expect(compareEventIds(x, y)).toBeLessThan(0);
  });

  it('merges the changes since an id for the wanted accounts only', async () => {
    const bus = new InMemoryPushBus();
    const since = bus.currentId();
    await bus.publish('a', { Email: 'e1', Mailbox: 'm1' });
    await bus.publish('b', { Email: 'x' });
    const last = await bus.publish('a', { Email: 'e2' });
    const merged = bus.changesSince(since, ['a']);
    expect(merged?.id).toBe(last);
    expect([...(merged?.accounts ?? [])]).toEqual([['a', { Email: 'e2', Mailbox: 'm1' }]]);
    expect([...(bus.changesSince(last, ['a', 'b'])?.accounts ?? [])]).toEqual([]);
  });

  it.each([
    ['malformed', 'nope'],
    ['another epoch', '1-0'],
    ['the future', 'FUTURE'],
  ])('cannot place an id from %s', async (_name, id) => {
    const bus = new InMemoryPushBus();
    await bus.publish('a', { Email: 'e1' });
    const current = parseEventId(bus.currentId())!;
    const lastEventId = id === 'FUTURE' ? `${current.ms}-${current.seq + 1}` : id;
    expect(bus.changesSince(lastEventId, ['a'])).toBeUndefined();
  });

  it('cannot place an id older than its history, and answers latestStates instead', async () => {
    const bus = new InMemoryPushBus({ historySize: 3 });
    const old = bus.currentId();
    await bus.publish('a', { Email: 'e1', Mailbox: 'm1' });
    const kept = bus.currentId();
    for (let i = 2; i <= 4; i++) await bus.publish('a', { Email: `e${i}` });
    expect(bus.changesSince(old, ['a'])).toBeUndefined();
    expect([...(bus.changesSince(kept, ['a'])?.accounts ?? [])]).toEqual([['a', { Email: 'e4' }]]);
    expect([...bus.latestStates(['a', 'b']).accounts]).toEqual([['a', { Email: 'e4', Mailbox: 'm1' }]]);
  });

  it('refuses a history size that is not a positive integer', () => {
    expect(() => new InMemoryPushBus({ historySize: 0 })).toThrow(JmapPushConfigError);
    expect(() => new InMemoryPushBus({ historySize: 1.5 })).toThrow(JmapPushConfigError);
    expect(() => new InMemoryPushBus({ historySize: -1 })).toThrow(JmapPushConfigError);
  });

  it('replays exactly the merge of the changes after any id still in its history', async () => {
    const change = fc.record({
      account: fc.constantFrom('a', 'b', 'c'),
      changed: fc.dictionary(fc.constantFrom('Email', 'Mailbox', 'Thread'), fc.string({ minLength: 1, maxLength: 3 }), {
        minKeys: 1,
      }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { maxLength: 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.nat(),
        async (changes, historySize, at) => {
          const bus = new InMemoryPushBus({ historySize });
          const ids = [bus.currentId()];
          for (const { account, changed } of changes) ids.push(await bus.publish(account, changed));
          const from = at % ids.length;
          const merged = bus.changesSince(ids[from], ['a', 'b']);
          if (changes.length - from > historySize) {
            expect(merged).toBeUndefined();
            return;
          }
          const expected = new Map<string, Record<string, string>>();
          for (const { account, changed } of changes.slice(from)) {
            if (account !== 'c') expected.set(account, { ...expected.get(account), ...changed });
          }
          expect(merged?.id).toBe(bus.currentId());
          expect(new Map(merged?.accounts)).toEqual(expected);
        },
      ),
    );
  });
});

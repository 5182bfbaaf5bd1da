import fc from 'fast-check';
import { ChangeWindow } from './change-window';
import { formatEventId } from './event-id';

const change = (seq: number, accountId = 'a', state = `s${seq}`) => ({
  id: `100-${seq}`,
  accountId,
  changed: { Email: state },
});

describe('ChangeWindow', () => {
  it('answers nothing before the read loop told it where it starts', () => {
    const window = new ChangeWindow(10);
    window.record(change(1));
    expect(window.since('100-0', ['a'])).toBeUndefined();
  });

  it('merges exactly the changes after the id, for the wanted accounts, up to its newest', () => {
    const window = new ChangeWindow(10);
    window.startAfter('100-0');
    for (let seq = 1; seq <= 6; seq++) window.record(change(seq, seq % 2 ? 'a' : 'b'));
    expect(window.since('100-3', ['a'])).toEqual({ id: '100-6', accounts: new Map([['a', { Email: 's5' }]]) });
    expect(window.since('100-0', ['a', 'b'])).toEqual({
      id: '100-6',
      accounts: new Map([
        ['a', { Email: 's5' }],
        ['b', { Email: 's6' }],
      ]),
    });
    expect(window.since('100-6', ['a'])).toEqual({ id: '100-6', accounts: new Map() });
    // Ids it has not reached, malformed ones and ones before its start: not its to answer.
    expect(window.since('100-7', ['a'])).toBeUndefined();
    expect(window.since('nonsense', ['a'])).toBeUndefined();
    expect(window.since('99-9', ['a'])).toBeUndefined();
  });

  it('forgets the oldest changes past its capacity, and then refuses ids older than what it holds', () => {
    const window = new ChangeWindow(3);
    window.startAfter('100-0');
    for (let seq = 1; seq <= 5; seq++) window.record(change(seq));
    // Holds 3, 4, 5: everything after 2 is known, so 2 is answerable; 1 is not.
    expect(window.since('100-2', ['a'])).toEqual({ id: '100-5', accounts: new Map([['a', { Email: 's5' }]]) });
    expect(window.since('100-4', ['a'])).toEqual({ id: '100-5', accounts: new Map([['a', { Email: 's5' }]]) });
    expect(window.since('100-1', ['a'])).toBeUndefined();
  });

  it('starts over when ids go back (the change log was recreated)', () => {
    const window = new ChangeWindow(10);
    window.startAfter('100-0');
    window.record(change(5));
    window.record({ id: '50-1', accountId: 'a', changed: { Email: 'fresh' } });
    expect(window.since('100-0', ['a'])).toBeUndefined();
    window.record({ id: '50-2', accountId: 'a', changed: { Email: 'newer' } });
    expect(window.since('50-1', ['a'])).toEqual({ id: '50-2', accounts: new Map([['a', { Email: 'newer' }]]) });
  });

  it('takes a pre-parsed id as the same id, and ignores a change whose id is malformed', () => {
    const window = new ChangeWindow(10);
    window.startAfter('100-0');
    window.record(change(1), { ms: 100, seq: 1 });
    window.record({ id: 'nonsense', accountId: 'a', changed: { Email: 'bad' } });
    expect(window.since('100-0', ['a'])).toEqual({ id: '100-1', accounts: new Map([['a', { Email: 's1' }]]) });
  });

  it('answers every id it holds with exactly the merge of the changes after it, and no id it lost', () => {
    const published = fc.record({
      account: fc.constantFrom('a', 'b', 'c'),
      changed: fc.dictionary(fc.constantFrom('Email', 'Mailbox', 'Thread'), fc.string({ minLength: 1, maxLength: 3 }), {
        minKeys: 1,
      }),
      // Ids grow, as both buses issue them, but not by one: gaps and new milliseconds included.
      step: fc.record({ ms: fc.nat({ max: 2 }), seq: fc.integer({ min: 1, max: 3 }) }),
    });
    fc.assert(
      fc.property(
        fc.array(published, { maxLength: 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.nat(),
        (changes, capacity, at) => {
          const window = new ChangeWindow(capacity);
          let ms = 1_000;
          let seq = 0;
          const ids = [formatEventId(ms, seq)];
          window.startAfter(ids[0]);
          for (const { account, changed, step } of changes) {
            if (step.ms > 0) [ms, seq] = [ms + step.ms, 0];
            seq += step.seq;
            const id = formatEventId(ms, seq);
            ids.push(id);
            window.record({ id, accountId: account, changed });
          }
          const from = at % ids.length;
          const merged = window.since(ids[from], ['a', 'b']);
          if (changes.length - from > capacity) {
            expect(merged).toBeUndefined();
            return;
          }
          const expected = new Map<string, Record<string, string>>();
          for (const { account, changed } of changes.slice(from)) {
            if (account !== 'c') expected.set(account, { ...expected.get(account), ...changed });
          }
          expect(merged).toEqual({ id: ids[ids.length - 1], accounts: expected });
        },
      ),
    );
  });
});

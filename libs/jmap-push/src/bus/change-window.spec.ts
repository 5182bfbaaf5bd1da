import { ChangeWindow } from './change-window';

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
});

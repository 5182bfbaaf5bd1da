// Issue 2, point 5 (closeafter=state), and James's sseShouldCloseAfterEventWhenCloseAfterState. RFC 8620
// section 7.3: with closeafter=state the server ends the response after the first state event, whatever
// made it: a live change, a replay, or a replay merged with the changes that came while it was read.
// The replay read at once (in-memory history) is in replay.e2e-spec.ts.
import { gate } from '../support/gate';
import { AUTH, stateOf, usePushApp } from '../support/push-fixture';
import { ScriptedBus } from '../support/scripted-bus';
import { TRANSPORTS } from '../support/transports';
import { within } from '../support/wait';

describe.each(TRANSPORTS)('closeafter=state (%s transport)', (transport) => {
  const fx = usePushApp(transport);

  it('ends the response right after the first state event (sseShouldCloseAfterEventWhenCloseAfterState)', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=state&ping=0');
    void fx.push.stateChanges.publish('acc-bob', { Mailbox: 'inbox' });
    void fx.push.stateChanges.publish('acc-bob', { Mailbox: 'other' });
    await stream.ended;
    expect(stream.drain().map((frame) => stateOf(frame).changed)).toEqual([{ 'acc-bob': { Mailbox: 'inbox' } }]);
    await fx.settled();
  });

  it('is not ended by the opening frame, by pings, nor by changes it does not carry', async () => {
    const { stream } = await fx.connect('bob', 'types=Email&closeafter=state&ping=1');
    await fx.push.stateChanges.publish('acc-carol', { Email: 'c1' });
    await fx.push.stateChanges.publish('acc-bob', { Mailbox: 'm1' });
    expect((await stream.next(3000)).event).toBe('ping');
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
    await stream.ended;
  });

  it('keeps the stream open with closeafter=no', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=0');
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e2' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e2' },
    });
  });
});

describe.each(TRANSPORTS)('closeafter=state with a replay read asynchronously (%s transport)', (transport) => {
  const bus = new ScriptedBus();
  const fx = usePushApp(transport, { bus }, 'each');
  afterEach(() => {
    bus.changesSinceHook = undefined;
  });

  /** Holds the replay's read until `release()`: changes published meanwhile are merged into it. */
  function holdReplay() {
    const asked = gate();
    const answer = gate();
    bus.changesSinceHook = async (id, accounts) => {
      asked.open();
      await answer.promise;
      return bus.inner.changesSince(id, accounts);
    };
    return {
      asked: asked.promise,
      release: () => {
        answer.open();
      },
    };
  }

  /** Connects once and leaves, returning the id the client held. */
  const seenId = async (): Promise<string> => {
    const { stream, hello } = await fx.connect('bob', 'types=*&closeafter=no&ping=0');
    stream.close();
    return hello.id!;
  };

  it('ends right after the replayed event', async () => {
    const seen = await seenId();
    const id = await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    const replay = holdReplay();
    const stream = await fx.open('types=*&closeafter=state&ping=0', { ...AUTH.bob, 'Last-Event-ID': seen });
    await replay.asked;
    replay.release();
    await within(stream.ended, 2000, 'the response ended');
    const states = stream.frames.filter((frame) => frame.event === 'state');
    expect(states.map((frame) => [frame.id, stateOf(frame).changed])).toEqual([[id, { 'acc-bob': { Email: 'e1' } }]]);
    await fx.settled();
  });

  it('ends right after the one event that merges the replay with the changes published while it was read', async () => {
    const seen = await seenId();
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    const replay = holdReplay();
    const stream = await fx.open('types=*&closeafter=state&ping=0', { ...AUTH.bob, 'Last-Event-ID': seen });
    await replay.asked;
    await fx.push.stateChanges.publish('acc-alice', { Mailbox: 'm1' });
    const last = await fx.push.stateChanges.publish('acc-bob', { Thread: 't1' });
    replay.release();
    await within(stream.ended, 2000, 'the response ended');
    const states = stream.frames.filter((frame) => frame.event === 'state');
    expect(states.map((frame) => [frame.id, stateOf(frame).changed])).toEqual([
      [last, { 'acc-bob': { Email: 'e1', Thread: 't1' }, 'acc-alice': { Mailbox: 'm1' } }],
    ]);
    await fx.settled();
  });
});

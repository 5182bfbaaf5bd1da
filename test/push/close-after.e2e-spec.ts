// Issue 2, point 5 (closeafter=state), and James's sseShouldCloseAfterEventWhenCloseAfterState.
// The replayed-event case is in replay.e2e-spec.ts.
import { stateOf, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';

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

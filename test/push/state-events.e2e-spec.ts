// Issue 2, point 3 (state events), and James's noSSEEventShouldBeSentByDefault,
// sseEventsShouldBeFilteredByTypes, sseShouldTransportEvent, sseShouldTransportEvents (and delegation).
import { compareEventIds, InvalidStateChangeError, parseEventId } from 'jmap-push';
import { stateFrameText, stateOf, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';
import { spyOnWrites } from '../support/write-spy';

const ALL = 'types=*&closeafter=no&ping=0';

describe.each(TRANSPORTS)('state events (%s transport)', (transport) => {
  const fx = usePushApp(transport);

  it('writes one exact "event: state" frame per change (sseShouldTransportEvent)', async () => {
    const { stream } = await fx.connect('bob', ALL);
    const id = await fx.push.stateChanges.publish('acc-bob', {
      Email: 'e42',
      Thread: 't17',
      EmailDelivery: 'd9',
    });
    const frame = await stream.next();
    expect(frame.raw).toBe(
      stateFrameText(id, {
        'acc-bob': { Email: 'e42', Thread: 't17', EmailDelivery: 'd9' },
      }),
    );
  });

  it('sends each change as its own event, in order, with growing ids (sseShouldTransportEvents)', async () => {
    const { stream, hello } = await fx.connect('bob', ALL);
    const first = await fx.push.stateChanges.publish('acc-bob', {
      Mailbox: 'm1',
    });
    const second = await fx.push.stateChanges.publish('acc-bob', {
      Mailbox: 'm2',
    });
    const a = await stream.next();
    const b = await stream.next();
    expect([a.id, b.id]).toEqual([first, second]);
    expect(stateOf(a).changed).toEqual({ 'acc-bob': { Mailbox: 'm1' } });
    expect(stateOf(b).changed).toEqual({ 'acc-bob': { Mailbox: 'm2' } });
    const ids = [hello.id, a.id, b.id].map((id) => parseEventId(id as string)!);
    expect(compareEventIds(ids[0], ids[1])).toBeLessThan(0);
    expect(compareEventIds(ids[1], ids[2])).toBeLessThan(0);
  });

  it('sends no event until something changes (noSSEEventShouldBeSentByDefault)', async () => {
    const quiet = await fx.connect('bob', ALL);
    expect(quiet.hello.event).toBeUndefined();
    expect(quiet.hello.data).toBeUndefined();
    // A ping stream of 1 s is the clock: once it pinged, the quiet stream has had a second to misbehave.
    const clock = await fx.connect('alice', 'types=*&closeafter=no&ping=1');
    await clock.stream.nextEvent('ping', 3000);
    expect(quiet.stream.drain()).toEqual([]);
  });

  it('filters by the requested types and sends nothing when none is left (sseEventsShouldBeFilteredByTypes)', async () => {
    const { stream } = await fx.connect('bob', 'types=Email&closeafter=no&ping=0');
    await fx.push.stateChanges.publish('acc-bob', { Mailbox: 'm1' });
    await fx.push.stateChanges.publish('acc-bob', {
      Thread: 't1',
      Email: 'e1',
    });
    // The first change named no requested type, so the next frame is the second one, cut to Email.
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
  });

  it('carries the changes of shared and delegated accounts the principal may read', async () => {
    const bob = await fx.connect('bob', ALL);
    const alice = await fx.connect('alice', ALL);
    await fx.push.stateChanges.publish('acc-alice', { Email: 'a1' });
    expect(stateOf(await bob.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'a1' },
    });
    expect(stateOf(await alice.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'a1' },
    });
  });

  it('sends nothing at all of accounts the principal may not read', async () => {
    const bob = await fx.connect('bob', ALL);
    const alice = await fx.connect('alice', ALL);
    await fx.push.stateChanges.publish('acc-carol', { Email: 'c1' });
    await fx.push.stateChanges.publish('acc-bob', { Email: 'b1' });
    await fx.push.stateChanges.publish('acc-alice', { Email: 'a1' });
    // Each stream's next frame is the first change of an account it may read: nothing came before it.
    expect(stateOf(await bob.stream.next()).changed).toEqual({
      'acc-bob': { Email: 'b1' },
    });
    expect(stateOf(await bob.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'a1' },
    });
    expect(stateOf(await alice.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'a1' },
    });
    expect(JSON.stringify(bob.stream.frames.concat(alice.stream.frames))).not.toContain('acc-carol');
  });

  it('delivers to every stream of the account, each with its own filter', async () => {
    const all = await fx.connect('bob', ALL);
    const emails = await fx.connect('bob', 'types=Email&closeafter=no&ping=0');
    const mailboxes = await fx.connect('alice', 'types=Mailbox,Email&closeafter=no&ping=0');
    await fx.push.stateChanges.publish('acc-alice', {
      Email: 'e1',
      Mailbox: 'm1',
      Thread: 't1',
    });
    expect(stateOf(await all.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'e1', Mailbox: 'm1', Thread: 't1' },
    });
    expect(stateOf(await emails.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'e1' },
    });
    expect(stateOf(await mailboxes.stream.next()).changed).toEqual({
      'acc-alice': { Email: 'e1', Mailbox: 'm1' },
    });
  });

  it('writes the frame in the same event-loop turn as publish(), never by polling', async () => {
    const { stream } = await fx.connect('bob', ALL);
    const written: string[] = [];
    const restore = spyOnWrites((text) => written.push(text));
    try {
      void fx.push.stateChanges.publish('acc-bob', { Email: 'now' });
      // setImmediate runs after this turn's I/O phase: a timer- or poll-based delivery has not run yet.
      const atImmediate = await new Promise<string[]>((resolve) =>
        setImmediate(() => {
          resolve([...written]);
        }),
      );
      expect(atImmediate.join('')).toContain('"Email":"now"');
    } finally {
      restore();
    }
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'now' },
    });
  });

  it('rejects an invalid publish() and sends nothing for it', async () => {
    const { stream } = await fx.connect('bob', ALL);
    const invalid: Array<[unknown, unknown]> = [
      ['', { Email: 'e' }],
      ['acc-bob', {}],
      ['acc-bob', { Email: '' }],
      ['acc-bob', { Email: 42 }],
      ['acc-bob', { Bogus: 'x' }],
      ['acc-bob', null],
      ['acc-bob', ['Email']],
    ];
    for (const [account, changed] of invalid) {
      await expect(
        fx.push.stateChanges.publish(account as string, changed as Record<string, string>),
      ).rejects.toBeInstanceOf(InvalidStateChangeError);
    }
    await fx.push.stateChanges.publish('acc-bob', { Email: 'valid' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'valid' },
    });
  });

  it('copies the published object: a later mutation by the caller changes nothing sent', async () => {
    const { stream } = await fx.connect('bob', ALL);
    const changed: Record<string, string> = { Email: 'e1' };
    await fx.push.stateChanges.publish('acc-bob', changed);
    changed.Email = 'mutated';
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
  });

  it('serialises a change once per type filter, not once per connection', async () => {
    const streams = [];
    for (let i = 0; i < 6; i++) {
      streams.push(
        (await fx.connect(i % 2 ? 'bob' : 'alice', i < 3 ? ALL : 'types=Email,Mailbox&closeafter=no&ping=0')).stream,
      );
    }
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      void fx.push.stateChanges.publish('acc-alice', {
        Email: 'e1',
        Thread: 't1',
      });
      // Two filters among six streams: two serialisations, however many connections.
      expect(stringify).toHaveBeenCalledTimes(2);
    } finally {
      stringify.mockRestore();
    }
    for (const stream of streams) expect((await stream.next()).event).toBe('state');
  });
});

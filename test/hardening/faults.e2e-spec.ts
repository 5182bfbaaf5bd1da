// Issue 6, point 5: faults. The host's authenticator throwing or hanging gives 503 problem details with
// Retry-After, never a hang; publish() with malformed input rejects with InvalidStateChangeError and
// breaks no stream; a stream or bus listener failing in the middle of a fan-out leaves the others intact.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InMemoryPushBus, InvalidStateChangeError, type Authenticator, type Principal } from 'jmap-push';
import { PrincipalRevalidator } from 'jmap-push/subscription/principal-revalidator';
import { DirectSink } from 'jmap-push/event-source/direct.sink';
import { NestSseSink } from 'jmap-push/event-source/nest-sse.sink';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { expectLogged } from '../support/expected-logs';
import { AUTH, expectProblem, stateOf, usePushAppPerTest } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';
import { waitForIdle } from '../support/server-holds';
import { within } from '../support/wait';

const ALL = 'types=*&closeafter=no&ping=0';
const AUTH_TIMEOUT_MS = 300;
const AUDIT_LISTENER_FAILED = /^A push bus listener failed: an audit listener broke$/;

describe.each(TRANSPORTS)('a failing directory (%s transport)', (transport) => {
  const fx = usePushAppPerTest(transport);
  const good: Principal = { id: 'bob', accountIds: ['acc-bob'] };

  async function expect503(authenticator: Authenticator, headers: Record<string, string> = AUTH.bob): Promise<number> {
    await fx.start({ authenticator, authenticationTimeoutMs: AUTH_TIMEOUT_MS, retryAfterSeconds: 9 });
    const startedAt = Date.now();
    const stream = await fx.open(ALL, headers);
    const problem = await expectProblem(stream, 503);
    expect(stream.headers['retry-after']).toBe('9');
    expect(problem).toMatchObject({ type: 'about:blank', status: 503 });
    expect(JSON.stringify(problem)).not.toMatch(/secret|stack|Error/);
    return Date.now() - startedAt;
  }

  it('answers 503 with Retry-After when authenticateBasic throws', async () => {
    await expect503({
      authenticateBasic: () => {
        throw new Error('secret LDAP failure');
      },
    });
  });

  it('answers 503 when authenticateBasic rejects, with a non-Error too', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a host's authenticator may reject with a non-Error: the case under test
    await expect503({ authenticateBasic: () => Promise.reject('secret string rejection') });
  });

  it('answers 503 when authenticateBearer throws', async () => {
    await expect503(
      {
        authenticateBasic: () => good,
        authenticateBearer: () => {
          throw new TypeError('secret token store');
        },
      },
      { Authorization: 'Bearer abc' },
    );
  });

  it(`answers 503 once a hanging authenticator passes authenticationTimeoutMs (${AUTH_TIMEOUT_MS} ms), not later`, async () => {
    const elapsed = await expect503({ authenticateBasic: () => new Promise<Principal | null>(() => undefined) });
    expect(elapsed).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(AUTH_TIMEOUT_MS + 1000);
  });

  it('keeps serving other clients while the directory hangs for some, and leaks no slot', async () => {
    const push = await fx.start({
      authenticationTimeoutMs: AUTH_TIMEOUT_MS,
      authenticator: {
        authenticateBasic: (user) => (user === 'slow' ? new Promise<Principal | null>(() => undefined) : good),
      },
    });
    const hanging = Array.from({ length: 20 }, () =>
      fx.open(ALL, { Authorization: `Basic ${Buffer.from('slow:x').toString('base64')}` }),
    );
    const fine = await fx.connect(ALL, AUTH.bob);
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await fine.nextEvent('state', 1000)).changed).toEqual({ 'acc-bob': { Email: 'e1' } });
    for (const stream of await Promise.all(hanging)) await expectProblem(stream, 503);
    fine.close();
    await waitForIdle(push);
  });

  it('keeps open streams when revalidate throws (a directory outage disconnects no one)', async () => {
    const push = await fx.start({
      authenticator: {
        authenticateBasic: () => good,
        revalidate: () => {
          throw new Error('directory down');
        },
      },
      revalidateIntervalMs: 3_600_000,
    });
    const stream = await fx.connect(ALL, AUTH.bob);
    await expectLogged('warn', /^revalidate\(bob\) failed; its subscriptions stay as they are: directory down$/, () =>
      push.app.get(PrincipalRevalidator).revalidateAll(),
    );
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await stream.nextEvent('state')).changed).toEqual({ 'acc-bob': { Email: 'e1' } });
  });
});

describe.each(TRANSPORTS)('malformed publish() input (%s transport)', (transport) => {
  const fx = usePushAppPerTest(transport);

  const malformed: Array<[string, unknown, unknown]> = [
    ['an unknown type', 'acc-bob', { Nonsense: 's1' }],
    ['a type of another casing', 'acc-bob', { email: 's1' }],
    ['an inherited key only', 'acc-bob', Object.create({ Email: 's1' })],
    ['a __proto__ key', 'acc-bob', JSON.parse('{"__proto__":"s1"}')],
    ['a number state', 'acc-bob', { Email: 42 }],
    ['a null state', 'acc-bob', { Email: null }],
    ['an object state', 'acc-bob', { Email: { toString: () => 's1' } }],
    ['an empty state', 'acc-bob', { Email: '' }],
    ['one good and one bad type', 'acc-bob', { Email: 's1', Bogus: 's2' }],
    ['an empty account id', '', { Email: 's1' }],
    ['a number account id', 42, { Email: 's1' }],
    ['an undefined account id', undefined, { Email: 's1' }],
    ['null changes', 'acc-bob', null],
    ['a string for changes', 'acc-bob', 'Email'],
    ['an array for changes', 'acc-bob', [['Email', 's1']]],
    ['a number for changes', 'acc-bob', 7],
    ['no type at all', 'acc-bob', {}],
  ];

  it.each(malformed)(
    'rejects %s with InvalidStateChangeError and writes nothing',
    async (_name, accountId, changed) => {
      const push = await fx.start();
      const stream = await fx.connect(ALL, AUTH.bob);
      const before = push.metrics.snapshot().stateEvents;
      const publish = push.stateChanges.publish(accountId as string, changed as Record<string, string>);
      await expect(publish).rejects.toBeInstanceOf(InvalidStateChangeError);
      await expect(publish).rejects.toMatchObject({
        name: 'InvalidStateChangeError',
        message: expect.stringMatching(/^publish\(\): /),
      });
      expect(push.metrics.snapshot().stateEvents).toBe(before);
      // The stream is intact: the next valid change is its very next frame.
      const id = await push.stateChanges.publish('acc-bob', { Email: 'valid' });
      const frame = await stream.next();
      expect(frame.id).toBe(id);
      expect(stateOf(frame).changed).toEqual({ 'acc-bob': { Email: 'valid' } });
    },
  );

  it('rejects (does not throw synchronously) even for a hostile object, and streams go on', async () => {
    const push = await fx.start();
    const stream = await fx.connect(ALL, AUTH.bob);
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('hostile');
        },
      },
    );
    let publish: Promise<string> | undefined;
    expect(() => (publish = push.stateChanges.publish('acc-bob', hostile))).not.toThrow();
    await expect(publish).rejects.toThrow();
    await push.stateChanges.publish('acc-bob', { Email: 'valid' });
    expect(stateOf(await stream.next()).changed).toEqual({ 'acc-bob': { Email: 'valid' } });
  });

  it('is not affected by the caller mutating its object after publish()', async () => {
    const push = await fx.start();
    const seen = await fx.connect(ALL, AUTH.bob);
    const changed: Record<string, string> = { Email: 'e1' };
    const id = await push.stateChanges.publish('acc-bob', changed);
    changed.Email = 'mutated';
    changed.Mailbox = 'added';
    expect(stateOf(await seen.next()).changed).toEqual({ 'acc-bob': { Email: 'e1' } });
    // A replay from before the change reads the change as it was published.
    const replay = await fx.open(ALL, { ...AUTH.bob, 'Last-Event-ID': seen.frames[0].id as string });
    const frame = await replay.next();
    expect(frame.id).toBe(id);
    expect(stateOf(frame).changed).toEqual({ 'acc-bob': { Email: 'e1' } });
  });
});

describe.each(TRANSPORTS)('a failure in the middle of a fan-out (%s transport)', (transport) => {
  const fx = usePushAppPerTest(transport);
  const Sink = transport === 'sse' ? NestSseSink : DirectSink;

  afterEach(() => jest.restoreAllMocks());

  /** Makes every state write to a stream opened with `X-Victim` throw, as a broken socket would. */
  function breakVictimWrites(): void {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound on purpose: the mock calls it with the sink as `this`
    const original = Sink.prototype.writeState;
    jest.spyOn(Sink.prototype, 'writeState').mockImplementation(function (
      this: { response: ServerResponse & { req: IncomingMessage } },
      ...args
    ) {
      if (this.response.req.headers['x-victim']) throw new Error('sink broke');
      original.apply(this, args);
    });
  }

  it('closes the stream whose write throws and delivers to every other stream', async () => {
    const push = await fx.start({ maxStreamsPerPrincipal: 100 });
    breakVictimWrites();
    // The victim sits in the middle of the account's streams, so the fan-out goes on past it.
    const before = await Promise.all(Array.from({ length: 5 }, () => fx.connect(ALL, AUTH.bob)));
    const victim = await fx.connect(ALL, { ...AUTH.bob, 'X-Victim': '1' });
    const after = await Promise.all(Array.from({ length: 5 }, () => fx.connect(ALL, AUTH.bob)));
    expect(push.app.get(SubscriptionRegistry).size).toBe(11);

    const id = await expectLogged('warn', /^A subscription failed and was ended: sink broke$/, () =>
      push.stateChanges.publish('acc-bob', { Email: 'e1' }),
    );
    for (const stream of [...before, ...after]) expect((await stream.nextEvent('state', 1000)).id).toBe(id);
    expect(push.app.get(SubscriptionRegistry).size).toBe(10);
    // The healthy streams keep going.
    const next = await push.stateChanges.publish('acc-bob', { Email: 'e2' });
    for (const stream of [...before, ...after]) expect((await stream.nextEvent('state', 1000)).id).toBe(next);
    expect(victim.frames.filter((frame) => frame.event === 'state')).toEqual([]);
  });

  // A stream released with its response left open would leave its client connected to nothing, for ever.
  it("ends the failed stream's response, so its client reconnects instead of waiting forever", async () => {
    const push = await fx.start();
    breakVictimWrites();
    const victim = await fx.connect(ALL, { ...AUTH.bob, 'X-Victim': '1' });
    await expectLogged('warn', /^A subscription failed and was ended: sink broke$/, () =>
      push.stateChanges.publish('acc-bob', { Email: 'e1' }),
    );
    await within(victim.ended, 1000, 'the failed stream ended');
  });

  it('delivers to the streams even when another listener of the bus throws first', async () => {
    const bus = new InMemoryPushBus();
    bus.listen(() => {
      throw new Error('an audit listener broke');
    });
    const push = await fx.start({ bus });
    const stream = await fx.connect(ALL, AUTH.bob);
    await expectLogged('error', AUDIT_LISTENER_FAILED, () =>
      push.stateChanges.publish('acc-bob', { Email: 'e1' }).catch(() => undefined),
    );
    expect(stateOf(await stream.nextEvent('state', 1000)).changed).toEqual({ 'acc-bob': { Email: 'e1' } });
  });

  it('delivers to the streams when a listener added after them throws', async () => {
    const bus = new InMemoryPushBus();
    const push = await fx.start({ bus });
    bus.listen(() => {
      throw new Error('an audit listener broke');
    });
    const stream = await fx.connect(ALL, AUTH.bob);
    await expectLogged('error', AUDIT_LISTENER_FAILED, () =>
      push.stateChanges.publish('acc-bob', { Email: 'e1' }).catch(() => undefined),
    );
    expect(stateOf(await stream.nextEvent('state', 1000)).changed).toEqual({ 'acc-bob': { Email: 'e1' } });
    await expectLogged('error', AUDIT_LISTENER_FAILED, () =>
      push.stateChanges.publish('acc-bob', { Email: 'e2' }).catch(() => undefined),
    );
    expect(stateOf(await stream.nextEvent('state', 1000)).changed).toEqual({ 'acc-bob': { Email: 'e2' } });
  });
});

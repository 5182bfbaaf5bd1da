// Web Push delivery policy (RFC 8620 section 7.2, RFC 8030): what each answer of the push service does.
// 2xx done; 429/5xx/timeouts retried, never sooner than Retry-After, with changes merging meanwhile;
// 404/410 destroy; other 4xx dropped and counted.
import { expectLogged } from '../support/expected-logs';
import { describeWithOpenssl } from './support/tls';
import {
  changedOf,
  eventually,
  payloadOf,
  publishTaken,
  quiet,
  startWebPushApp,
  type WebPushApp,
} from './support/web-push-app';

describeWithOpenssl('Web Push retries and push service answers', () => {
  let app: WebPushApp;
  beforeEach(async () => {
    app = await startWebPushApp({ webPushOptions: { requestTimeoutMs: 1_000 } });
  });
  afterEach(() => app.close());

  it('waits at least Retry-After after a 429, and merges what changed meanwhile into one StateChange (RFC 8620 section 7.2)', async () => {
    const phone = await app.subscribeVerified('rate-limited');
    // The 429 is held a moment, so the changes below arrive while its push is still in flight.
    app.service.answer('rate-limited', { status: 429, retryAfter: 1, delayMs: 300 });
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    const refused = await app.service.nextPush('rate-limited');
    await publishTaken(app, 'acc-bob', { Email: 'e2' });
    await publishTaken(app, 'acc-bob', { Mailbox: 'm2' });
    await publishTaken(app, 'acc-alice', { Email: 'a2' });
    await publishTaken(app, 'acc-bob', { Email: 'e3' });

    const retried = await app.service.nextPush('rate-limited');
    expect(changedOf(refused)).toEqual({ 'acc-bob': { Email: 'e1' } });
    // One push with the latest state of each type of each account: e1, e2 and e3 collapsed into e3.
    expect(changedOf(retried)).toEqual({ 'acc-bob': { Email: 'e3', Mailbox: 'm2' }, 'acc-alice': { Email: 'a2' } });
    expect(retried.receivedAt - refused.receivedAt).toBeGreaterThanOrEqual(1_000);
    await quiet(app);
    expect(app.service.pushes(phone.name)).toHaveLength(3); // verification, the 429, the merged retry
    const metrics = app.push.metrics.snapshot();
    expect(metrics).toMatchObject({ pushesRetried: 1, pushesSent: 1, pushVerificationsSent: 1 });
    // a2, m2 and e3 merged into the push e2 started while the refused one was in flight.
    expect(metrics.pushesMerged).toBeGreaterThanOrEqual(3);
  });

  it('retries a 500, then the 201 ends it', async () => {
    const phone = await app.subscribeVerified('flaky');
    app.service.answer('flaky', { status: 500 });
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    const failed = await app.service.nextPush('flaky');
    const delivered = await app.service.nextPush('flaky');
    expect(failed.status).toBe(500);
    expect(delivered.status).toBe(201);
    expect(changedOf(delivered)).toEqual({ 'acc-bob': { Email: 'e1' } });
    await quiet(app);
    expect(app.service.pushes(phone.name)).toHaveLength(3);
    expect(app.push.metrics.snapshot()).toMatchObject({ pushesRetried: 1, pushesSent: 1 });
  });

  it('retries a PushVerification the push service failed, with the same code', async () => {
    const device = app.service.subscription('verification-retried');
    app.service.answer('verification-retried', { status: 503, retryAfter: 0 }, { status: 500 });
    await app.set({ create: { new: { deviceClientId: 'd', url: device.endpoint, keys: device.keys } } });
    const attempts = [
      await app.service.nextPush('verification-retried'),
      await app.service.nextPush('verification-retried'),
      await app.service.nextPush('verification-retried'),
    ];
    expect(attempts.map((push) => push.status)).toEqual([503, 500, 201]);
    expect(new Set(attempts.map((push) => JSON.stringify(payloadOf(push)))).size).toBe(1);
    await quiet(app);
    expect(app.push.metrics.snapshot()).toMatchObject({ pushesRetried: 2, pushVerificationsSent: 1 });
  });

  it('retries a push the push service does not answer within requestTimeoutMs', async () => {
    await app.subscribeVerified('silent');
    app.service.answer('silent', { status: 201, delayMs: 4_000 });
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    const unanswered = await app.service.nextPush('silent');
    const again = await app.service.nextPush('silent');
    expect(again.receivedAt - unanswered.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(changedOf(again)).toEqual({ 'acc-bob': { Email: 'e1' } });
    await quiet(app);
    expect(app.push.metrics.snapshot().pushesRetried).toBe(1);
  });

  it.each([410, 404])(
    'destroys a subscription the push service answers %i for: gone from /get and from the store',
    async (status) => {
      const phone = await app.subscribeVerified('gone');
      app.service.answer('gone', { status });
      await publishTaken(app, 'acc-bob', { Email: 'e1' });
      await app.service.nextPush('gone');
      await eventually(async () => (await app.store.get(phone.id)) === undefined, 'the subscription was destroyed');
      expect(await app.get({ ids: [phone.id] })).toMatchObject({ list: [], notFound: [phone.id] });
      expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.gone).toBe(1);
      await publishTaken(app, 'acc-bob', { Email: 'e2' });
      await quiet(app);
      expect(app.service.pushes('gone')).toHaveLength(2);
    },
  );

  it('destroys a subscription whose push host resolves to an internal address (RFC 8620 section 8.6), sending nothing', async () => {
    await app.close();
    const asked: string[] = [];
    // The resolver stands in for DNS: a public-looking name that resolves to loopback, as a rebinding
    // attacker's would. Only 127.0.0.1 itself is allowed internal addresses.
    app = await startWebPushApp({
      webPushOptions: {
        resolver: (hostname) => {
          asked.push(hostname);
          return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
        },
      },
    });
    const device = app.service.subscription('rebound');
    const url = device.endpoint.replace('https://127.0.0.1:', 'https://push.test:');
    const args = await app.set({ create: { new: { deviceClientId: 'd', url, keys: device.keys } } });
    const { id } = (args.created as Record<string, { id: string }>).new;
    await expectLogged(
      'warn',
      new RegExp(`Push subscription ${id} was destroyed: its push service address is refused`),
      () => eventually(async () => (await app.store.get(id)) === undefined, 'the subscription was destroyed'),
    );
    expect(asked).toContain('push.test');
    expect(app.service.pushes('rebound')).toHaveLength(0);
    expect(app.push.metrics.snapshot()).toMatchObject({
      pushesRefusedBySsrf: 1,
      pushVerificationsSent: 0,
      pushSubscriptionsDestroyed: { refused: 1 },
    });
  });

  it('drops a push refused with another 4xx, counts and logs it (without the URL), and keeps the subscription', async () => {
    const phone = await app.subscribeVerified('refusing');
    app.service.answer('refusing', { status: 400 });
    await expectLogged('warn', new RegExp(`refused a push to subscription ${phone.id} with 400`), async () => {
      await publishTaken(app, 'acc-bob', { Email: 'e1' });
      await app.service.nextPush('refusing');
      await quiet(app);
    });
    expect(app.push.metrics.snapshot()).toMatchObject({ pushesRejected: 1, pushesRetried: 0, pushesSent: 0 });
    await publishTaken(app, 'acc-bob', { Email: 'e2' });
    expect(changedOf(await app.service.nextPush('refusing'))).toEqual({ 'acc-bob': { Email: 'e2' } });
    expect(await app.store.get(phone.id)).toBeDefined();
  });
});

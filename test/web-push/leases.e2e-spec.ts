// Claims and their leases on one node: a push whose lease ran out while its request was still
// going is claimed again (the store cannot tell a slow worker from a dead one), and from then on only
// the newer claim may settle it.
import { changedOf, quiet, startWebPushApp, publishTaken, type WebPushApp } from './support/web-push-app';

const LEASE_MS = 1_000;

describe('Web Push claim leases on one node', () => {
  let app: WebPushApp;
  beforeEach(async () => {
    app = await startWebPushApp({
      webPushOptions: { claimLeaseMs: LEASE_MS, requestTimeoutMs: 5_000, minRetryDelayMs: 50, maxRetryDelayMs: 100 },
    });
  });
  afterEach(() => app.close());

  it('a late answer to a push claimed again does not settle the newer claim, whose failure is retried', async () => {
    const phone = await app.subscribeVerified('outlived-lease');
    app.service.answer(
      phone.name,
      // The first request outlives its lease (and is then claimed again), answering 201 only later...
      { status: 201, delayMs: 2 * LEASE_MS },
      // ... the second claim's request fails at once, and is retried ...
      { status: 500 },
      // ... and the third is still going when the first's late 201 comes: that 201 is not its answer.
      { status: 500, delayMs: 3 * LEASE_MS },
    );
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    const first = await app.service.nextPush(phone.name);
    await publishTaken(app, 'acc-bob', { Email: 'e2' });
    const second = await app.service.nextPush(phone.name);
    const third = await app.service.nextPush(phone.name);
    expect([first, second, third].map(changedOf)).toEqual([
      { 'acc-bob': { Email: 'e1' } },
      { 'acc-bob': { Email: 'e2' } },
      { 'acc-bob': { Email: 'e2' } },
    ]);
    // e2 was never accepted: it is sent until it is.
    const delivered = await app.service.nextPush(phone.name);
    expect(delivered.status).toBe(201);
    expect(changedOf(delivered)).toEqual({ 'acc-bob': { Email: 'e2' } });
    await quiet(app, 10_000);
  });
});

// Web Push nodes on Redis that crash or restart (issue #14: "a node that dies mid-delivery or
// mid-backoff has its work taken over by another within a bounded time", "pending backoff state
// survives a node restart"). Node A runs in a process of its own (`PushNodeProcess`) and is killed with
// SIGKILL: no shutdown hook runs and nothing is handed back, as when a machine or a container dies; its
// Redis connections drop as the kernel closes its sockets. Node B runs in this process.
import Redis from 'ioredis';
import type { PushSubscriptionCaller, PushSubscriptionResponse } from 'jmap-push';
import { RedisPushBus, RedisPushSubscriptionStore } from 'jmap-push/redis';
import type { FakePushService } from 'jmap-push/testing';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from '../redis/support/redis-test-keys';
import { PushNodeProcess, type PushNodeConfig } from './support/push-node-process';
import {
  BOB,
  changedOf,
  deliveryOf,
  eventually,
  payloadOf,
  startFakePushService,
  startWebPushApp,
  testWebPushOptions,
  vapidKeys,
  type WebPushApp,
} from './support/web-push-app';

jest.setTimeout(60_000);

/** How soon a node takes over change-log entries a dead node read and never acknowledged. */
const STORE_OPTIONS = { blockMs: 500, claimIdleMs: 500, claimIntervalMs: 200 };
const WEB_PUSH_OPTIONS = { pollIntervalMs: 100 };

function answered(response: PushSubscriptionResponse): Record<string, unknown> {
  const [method, args] = response;
  if (method === 'error') throw new Error(`method error: ${JSON.stringify(args)}`);
  return args;
}

describe('Web Push nodes that crash or restart', () => {
  let service: FakePushService;
  let admin: Redis;
  let keyPrefix: string;
  const vapid = vapidKeys();
  let processes: PushNodeProcess[] = [];
  let inProcess: Array<{ app: WebPushApp; redis: Redis; store: RedisPushSubscriptionStore }> = [];

  /** Node A: its own process. */
  async function startProcessNode(webPush: Partial<PushNodeConfig['webPush']> = {}): Promise<PushNodeProcess> {
    const node = await PushNodeProcess.start({
      redisUrl: REDIS_URL,
      keyPrefix,
      webPush: testWebPushOptions({ vapid, ...WEB_PUSH_OPTIONS, ...webPush }),
      store: STORE_OPTIONS,
    });
    processes.push(node);
    return node;
  }

  /** Node B: in this process, so the test can read its worker and counters. */
  async function startNode(webPush: Record<string, unknown> = {}): Promise<WebPushApp> {
    const redis = new Redis(REDIS_URL);
    const bus = new RedisPushBus({ client: redis, keyPrefix, blockMs: 500 });
    const store = new RedisPushSubscriptionStore({ client: redis, keyPrefix, ...STORE_OPTIONS });
    const app = await startWebPushApp({
      service,
      bus,
      webPushOptions: { vapid, store, ...WEB_PUSH_OPTIONS, ...webPush },
    });
    await bus.ready();
    inProcess.push({ app, redis, store });
    return app;
  }

  /** Subscribes a fake device through `node` and verifies it as a client does; resolves with its id. */
  async function subscribeVerified(node: PushNodeProcess, name: string, caller: PushSubscriptionCaller = BOB) {
    const device = service.subscription(name);
    const created = answered(
      await node.set({ create: { new: { deviceClientId: name, url: device.endpoint, keys: device.keys } } }, caller),
    ).created as Record<string, { id: string }>;
    const { id } = created.new;
    const { verificationCode } = payloadOf(await service.nextPush(name));
    const updated = answered(await node.set({ update: { [id]: { verificationCode } } }, caller));
    if (updated.notUpdated) throw new Error(`not verified: ${JSON.stringify(updated.notUpdated)}`);
    return id;
  }

  const subscriptionKey = (id: string) => `${keyPrefix}wp:sub:${id}`;
  /** When the subscription's push is due in the shared store (while claimed: when the lease ends). */
  const dueAt = async (id: string) => Number(await admin.zscore(`${keyPrefix}wp:due`, id));
  const pendingOf = async (id: string) => JSON.parse((await admin.hget(subscriptionKey(id), 'pending')) ?? 'null');
  const isInFlight = async (id: string) => (await admin.hexists(subscriptionKey(id), 'inflight')) === 1;

  /**
   * Every change-log entry acknowledged by the consumer group (the dead node's taken over and handled)
   * and nothing in flight or pending anywhere: whatever was owed was sent; a test may then count.
   */
  const settledEverywhere = async () => {
    await eventually(async () => {
      const [count] = (await admin.xpending(`${keyPrefix}stream`, 'web-push')) as [number];
      return count === 0;
    }, 'the consumer group acknowledged every change');
    await eventually(
      async () =>
        inProcess.every(({ app }) => deliveryOf(app).pushesInFlight === 0) &&
        (await admin.zcard(`${keyPrefix}wp:due`)) === 0,
      'no push is in flight or pending',
    );
  };

  beforeAll(async () => {
    service = await startFakePushService();
    admin = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    for (const node of processes) await node.kill();
    processes = [];
    for (const { app, redis } of inProcess) {
      await app.close();
      redis.disconnect();
    }
    inProcess = [];
    await deleteKeys(admin, keyPrefix);
  });
  afterAll(async () => {
    await service.close();
    await admin.quit();
  });

  it('a node killed mid-backoff: another sends the merged, latest StateChange once the backoff is over, once', async () => {
    // Long enough for B to start and take changes while the push still waits, even on a busy machine.
    const retryAfterS = 8;
    const a = await startProcessNode({ maxRetryDelayMs: 2 * retryAfterS * 1_000 });
    const id = await subscribeVerified(a, 'killed-mid-backoff');
    service.answer('killed-mid-backoff', { status: 429, retryAfter: retryAfterS });
    await a.publish('acc-bob', { Email: 'e1' });
    const refused = await service.nextPush('killed-mid-backoff');
    expect(refused.status).toBe(429);
    // A settled the 429 in the store: it backs off at least Retry-After (RFC 8620 section 7.2).
    await eventually(
      async () => !(await isInFlight(id)) && (await dueAt(id)) >= refused.receivedAt + retryAfterS * 1_000,
      'A backs off',
    );
    // A takes a change while backing off: it merges into the waiting push.
    await a.publish('acc-bob', { Email: 'e2' });
    await eventually(async () => (await pendingOf(id))?.changes?.['acc-bob']?.Email === 'e2', 'A merged e2');
    const backoffEnds = await dueAt(id);

    await a.kill();
    const b = await startNode();
    await b.push.stateChanges.publish('acc-bob', { Mailbox: 'm3' });
    await b.push.stateChanges.publish('acc-alice', { Email: 'a3' });
    await eventually(async () => (await pendingOf(id))?.changes?.['acc-alice']?.Email === 'a3', 'B merged a3');
    // B merged them into the push A left backing off: it is still waiting.
    expect(Date.now()).toBeLessThan(backoffEnds);
    const sent = await service.nextPush('killed-mid-backoff', 15_000);

    expect(sent.status).toBe(201);
    expect(sent.receivedAt).toBeGreaterThanOrEqual(backoffEnds);
    expect(changedOf(sent)).toEqual({ 'acc-bob': { Email: 'e2', Mailbox: 'm3' }, 'acc-alice': { Email: 'a3' } });
    await settledEverywhere();
    // The verification, the 429, the one StateChange B sent: nothing twice.
    expect(service.pushes('killed-mid-backoff')).toHaveLength(3);
    expect(b.push.metrics.snapshot()).toMatchObject({ pushesSent: 1, pushesRetried: 0 });
  });

  it('a node that dies mid-delivery: once its lease runs out another node sends what it held, merged with what came since', async () => {
    const leaseMs = 1_500;
    const a = await startProcessNode({ claimLeaseMs: leaseMs });
    const id = await subscribeVerified(a, 'died-mid-delivery');
    // A's request hangs at the push service: A dies before any answer.
    service.answer('died-mid-delivery', { status: 201, delayMs: 60_000 });
    await a.publish('acc-bob', { Email: 'e1' });
    const held = await service.nextPush('died-mid-delivery');
    expect(await isInFlight(id)).toBe(true);
    // While claimed, the due time is the lease's end.
    const leaseEnds = await dueAt(id);
    // B is up before A dies, and must still leave A's claim alone until its lease runs out.
    const b = await startNode({ claimLeaseMs: leaseMs });

    await a.kill();
    await b.push.stateChanges.publish('acc-bob', { Mailbox: 'm2' });
    const taken = await service.nextPush('died-mid-delivery');

    expect(taken.receivedAt).toBeGreaterThanOrEqual(leaseEnds);
    expect(taken.status).toBe(201);
    expect(changedOf(held)).toEqual({ 'acc-bob': { Email: 'e1' } });
    // A's push merged under what came while it was held.
    expect(changedOf(taken)).toEqual({ 'acc-bob': { Email: 'e1', Mailbox: 'm2' } });
    await settledEverywhere();
    // At least once, not exactly once: the push service saw A's request (which it may or may not have
    // delivered, A never learnt) and B's, and nothing more.
    const [, ...stateChanges] = service.pushes('died-mid-delivery');
    expect(stateChanges).toEqual([held, taken]);
    expect(b.push.metrics.snapshot()).toMatchObject({ pushesSent: 1 });
  });

  it('pending backoff state survives a node restart: the new process sends after the backoff', async () => {
    const before = await startProcessNode();
    const id = await subscribeVerified(before, 'restarted');
    const retryAfterS = 3;
    service.answer('restarted', { status: 503, retryAfter: retryAfterS });
    await before.publish('acc-bob', { Email: 'e1' });
    const failed = await service.nextPush('restarted');
    await eventually(
      async () => !(await isInFlight(id)) && (await dueAt(id)) >= failed.receivedAt + retryAfterS * 1_000,
      'it backs off',
    );
    await before.publish('acc-bob', { Mailbox: 'm2' });
    await eventually(async () => (await pendingOf(id))?.changes?.['acc-bob']?.Mailbox === 'm2', 'm2 merged');
    const backoffEnds = await dueAt(id);

    // A deployment: SIGTERM, the app closes; a new process of the same node starts on the same Redis.
    await before.stop();
    const after = await startProcessNode();
    const sent = await service.nextPush('restarted');

    expect(sent.status).toBe(201);
    expect(sent.receivedAt).toBeGreaterThanOrEqual(backoffEnds);
    expect(changedOf(sent)).toEqual({ 'acc-bob': { Email: 'e1', Mailbox: 'm2' } });
    await settledEverywhere();
    expect(service.pushes('restarted')).toHaveLength(3);
    expect(await after.metrics()).toMatchObject({ pushesSent: 1 });
  });

  it('a PushVerification the push service failed is sent by another node after the failing one died', async () => {
    const a = await startProcessNode();
    const device = service.subscription('verification-taken-over');
    service.answer('verification-taken-over', { status: 500, retryAfter: 1 });
    const created = answered(
      await a.set({ create: { new: { deviceClientId: 'd', url: device.endpoint, keys: device.keys } } }, BOB),
    ).created as Record<string, { id: string }>;
    const { id } = created.new;
    const failed = await service.nextPush('verification-taken-over');
    expect(failed.status).toBe(500);
    await eventually(
      async () => !(await isInFlight(id)) && (await pendingOf(id))?.verification === true,
      'A backs off',
    );

    await a.kill();
    const b = await startNode();
    const verification = await service.nextPush('verification-taken-over');

    expect(verification.status).toBe(201);
    // The same code: the client may have got the first one.
    expect(payloadOf(verification)).toEqual(payloadOf(failed));
    await settledEverywhere();
    expect(b.push.metrics.snapshot()).toMatchObject({ pushVerificationsSent: 1 });
    const { verificationCode } = payloadOf(verification);
    expect(answered(await b.methods.set({ update: { [id]: { verificationCode } } }, BOB)).updated).toEqual({
      [id]: null,
    });
  });
});

// Web Push on several nodes sharing Redis (RedisPushBus + RedisPushSubscriptionStore): each change is
// taken by one node (the store's consumer group), each pending push is sent by one node (claims), and a
// node that shuts down with a push in flight hands it back for another node to send.
import Redis from 'ioredis';
import { RedisPushBus, RedisPushSubscriptionStore } from 'jmap-push/redis';
import type { FakePushService } from 'jmap-push/testing';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from '../redis/support/redis-test-keys';
import { within } from '../support/wait';
import { describeWithOpenssl } from './support/tls';
import {
  changedOf,
  deliveryOf,
  eventually,
  payloadOf,
  startFakePushService,
  startWebPushApp,
  vapidKeys,
  type WebPushApp,
} from './support/web-push-app';

jest.setTimeout(30_000);

describeWithOpenssl('Web Push on nodes sharing Redis', () => {
  let service: FakePushService;
  let admin: Redis;
  let keyPrefix: string;
  const vapid = vapidKeys();
  let nodes: Array<{ app: WebPushApp; redis: Redis; store: RedisPushSubscriptionStore }> = [];

  async function startNode(): Promise<WebPushApp> {
    const redis = new Redis(REDIS_URL);
    const bus = new RedisPushBus({ client: redis, keyPrefix, blockMs: 1_000 });
    const store = new RedisPushSubscriptionStore({ client: redis, keyPrefix, blockMs: 1_000 });
    // The module awaits store.ready() at start-up: changes published from then on are kept for the group.
    const app = await startWebPushApp({ service, bus, webPushOptions: { vapid, store, pollIntervalMs: 100 } });
    await bus.ready();
    nodes.push({ app, redis, store });
    return app;
  }

  async function stopNode(app: WebPushApp): Promise<void> {
    const node = nodes.find((candidate) => candidate.app === app);
    nodes = nodes.filter((candidate) => candidate !== node);
    await app.close();
    node?.redis.disconnect();
  }

  /** Nothing in flight on any node and nothing pending in the shared store. */
  const quietEverywhere = () =>
    eventually(
      async () =>
        nodes.every(({ app }) => deliveryOf(app).pushesInFlight === 0) &&
        (await nodes[0].store.nextDueAt()) === undefined,
      'no node has a push in flight or pending',
    );

  beforeAll(async () => {
    service = await startFakePushService();
    admin = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    for (const { app } of [...nodes]) await stopNode(app);
    await deleteKeys(admin, keyPrefix);
  });
  afterAll(async () => {
    await service.close();
    await admin.quit();
  });

  it('sends each verification and each change once, whichever node made the subscription or published', async () => {
    const a = await startNode();
    const b = await startNode();
    const phone = await a.subscribe('shared');
    // Verified through the other node: the store is the same.
    await b.verify(phone);
    for (const [i, node] of [a, b, a, b].entries()) {
      await node.push.stateChanges.publish('acc-bob', { Email: `e${i}` });
      expect(changedOf(await service.nextPush(phone.name))).toEqual({ 'acc-bob': { Email: `e${i}` } });
    }
    await quietEverywhere();
    expect(service.pushes(phone.name)).toHaveLength(5);
    const sent = (app: WebPushApp) => app.push.metrics.snapshot().pushesSent;
    expect(sent(a) + sent(b)).toBe(4);
  });

  it('hands a push in flight back on shutdown, and another node sends it', async () => {
    const a = await startNode();
    const b = await startNode();
    a.device('handed-over', { status: 201, delayMs: 60_000 });
    const phone = await a.subscribe('handed-over');
    const held = await service.nextPush(phone.name);
    // Whichever node claimed it, stopping that one hands it to the other.
    const holder = deliveryOf(a).pushesInFlight === 1 ? a : b;
    const other = holder === a ? b : a;
    await within(stopNode(holder), 10_000, 'the node holding the push stopped');
    const resent = await service.nextPush(phone.name);
    expect(payloadOf(resent)).toEqual(payloadOf(held));
    await eventually(() => Promise.resolve(deliveryOf(other).pushesInFlight === 0), 'the other node sent it');
    expect(other.push.metrics.snapshot().pushVerificationsSent).toBe(1);
  });
});

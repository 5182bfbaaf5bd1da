import Redis from 'ioredis';
import { createClient } from 'redis';
import { publishStateChange, RedisPushSubscriptionStore } from '../../libs/jmap-push/src/redis';
import { expectLogged } from '../support/expected-logs';
import { waitUntil } from '../support/wait';
import { connectionsNamed } from './support/redis-inspection';
import { RedisServerProcess } from './support/redis-server-process';
import { REDIS_URL } from './support/redis-test-keys';
import { eventually, HandedChanges, pendingCount, useRedisStores } from './support/redis-stores';

jest.setTimeout(30_000);

/** A listener that never finishes: its node "dies" holding the change, never acknowledging it. */
const never = (): Promise<void> => new Promise<void>(() => undefined);

/** The consumer names of the group with the entries each holds unacknowledged. */
async function consumers(admin: Redis, keyPrefix: string): Promise<Map<string, number>> {
  const rows = (await admin.call('XINFO', 'CONSUMERS', `${keyPrefix}stream`, 'web-push')) as unknown[][];
  return new Map(rows.map((row) => [String(row[1]), Number(row[3])]));
}

describe('RedisPushSubscriptionStore.consumeChanges (a consumer group on the change log)', () => {
  const redis = useRedisStores();
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ clientA, clientB } = redis);
  });

  /** Publishes like a node (through a bus) and like a worker outside Nest (publishStateChange), alternately. */
  async function publish(count: number, from = 0): Promise<string[]> {
    const bus = redis.bus(clientA);
    const ids: string[] = [];
    for (let i = from; i < from + count; i++) {
      ids.push(
        i % 2
          ? await bus.publish(`acc${i % 3}`, { Email: `e${i}` })
          : await publishStateChange(clientB, `acc${i % 3}`, { Email: `e${i}` }, { keyPrefix: redis.keyPrefix }),
      );
    }
    return ids;
  }

  it('hands every change to exactly one of two nodes (ioredis and node-redis), and acknowledges it', async () => {
    const nodeRedis = createClient({ url: REDIS_URL });
    await nodeRedis.connect();
    try {
      const nodeA = redis.store(clientA);
      const nodeB = redis.store(nodeRedis);
      await nodeA.ready();
      const seenA = new HandedChanges();
      const seenB = new HandedChanges();
      nodeA.consumeChanges(seenA.listener);
      nodeB.consumeChanges(seenB.listener);
      // Both readers blocking before the first publish: the group has two live consumers to share among.
      await eventually(async () => (await consumers(redis.admin, redis.keyPrefix)).size === 2, 'both nodes joined');

      const ids = await publish(40);
      await waitUntil(() => seenA.changes.length + seenB.changes.length >= 40, 'all 40 were handed over');
      await eventually(async () => (await pendingCount(redis.admin, redis.keyPrefix)) === 0, 'all were acknowledged');

      const all = [...seenA.changes, ...seenB.changes];
      expect(all.map((change) => change.id).sort()).toEqual([...ids].sort());
      expect(seenA.ids.filter((id) => seenB.ids.includes(id))).toEqual([]);
      // Both were blocked waiting when the first change came: each got a share.
      expect(seenA.ids.length).toBeGreaterThan(0);
      expect(seenB.ids.length).toBeGreaterThan(0);
      // What a node is handed is the change as published, in change-log order within the node.
      expect(all.find((change) => change.id === ids[2])).toEqual({
        id: ids[2],
        accountId: 'acc2',
        changed: { Email: 'e2' },
      });
      for (const seen of [seenA, seenB]) expect(seen.ids).toEqual(ids.filter((id) => seen.ids.includes(id)));
    } finally {
      await nodeRedis.close();
    }
  });

  it('a node that read changes and died before acknowledging them: another node takes them over after claimIdleMs', async () => {
    const nodeA = redis.store(clientA, { consumerName: 'node-a' });
    await nodeA.ready();
    const ids = await publish(3);
    const stuck = new HandedChanges(never);
    nodeA.consumeChanges(stuck.listener);
    await stuck.waitForCount(1);
    // Node A read all three in one batch, and holds them.
    await eventually(
      async () => (await consumers(redis.admin, redis.keyPrefix)).get('node-a') === 3,
      'node A holds the three',
    );
    const readAt = Date.now();
    await nodeA.close();

    const claimIdleMs = 300;
    const claimIntervalMs = 100;
    const nodeB = redis.store(clientB, { consumerName: 'node-b', claimIdleMs, claimIntervalMs });
    const taken = new HandedChanges();
    nodeB.consumeChanges(taken.listener);
    await taken.waitForCount(3, 5_000);
    const tookMs = Date.now() - readAt;

    expect(taken.ids).toEqual(ids);
    expect(tookMs).toBeGreaterThanOrEqual(claimIdleMs - 50);
    expect(tookMs).toBeLessThan(claimIdleMs + claimIntervalMs + 1_000);
    await eventually(async () => (await pendingCount(redis.admin, redis.keyPrefix)) === 0, 'node B acknowledged them');
    expect(stuck.ids).toEqual([ids[0]]);
  });

  it('a node restarted under the same consumer name resumes what it held at once, not after claimIdleMs', async () => {
    const before = redis.store(clientA, { consumerName: 'node-a', claimIdleMs: 60_000 });
    await before.ready();
    const ids = await publish(2);
    const stuck = new HandedChanges(never);
    before.consumeChanges(stuck.listener);
    await stuck.waitForCount(1);
    await eventually(async () => (await consumers(redis.admin, redis.keyPrefix)).get('node-a') === 2, 'it holds both');
    await before.close();

    const after = redis.store(clientB, { consumerName: 'node-a', claimIdleMs: 60_000 });
    const resumed = new HandedChanges();
    after.consumeChanges(resumed.listener);
    await resumed.waitForCount(2, 5_000);
    expect(resumed.ids).toEqual(ids);
    await eventually(async () => (await pendingCount(redis.admin, redis.keyPrefix)) === 0, 'both acknowledged');
  });

  it('skips entries trimmed from the change log before anyone took them over', async () => {
    const nodeA = redis.store(clientA, { consumerName: 'node-a' });
    await nodeA.ready();
    await publish(3);
    const stuck = new HandedChanges(never);
    nodeA.consumeChanges(stuck.listener);
    await eventually(async () => (await consumers(redis.admin, redis.keyPrefix)).get('node-a') === 3, 'it holds three');
    await nodeA.close();
    await redis.admin.xtrim(`${redis.keyPrefix}stream`, 'MAXLEN', 0);

    const nodeB = redis.store(clientB, { claimIdleMs: 100, claimIntervalMs: 50 });
    const taken = new HandedChanges();
    nodeB.consumeChanges(taken.listener);
    await eventually(async () => (await pendingCount(redis.admin, redis.keyPrefix)) === 0, 'the trimmed ones dropped');
    const [next] = await publish(1, 10);
    await taken.waitForCount(1);
    expect(taken.ids).toEqual([next]);
  });

  it('hands a change over again after claimIdleMs when the listener rejected it, then acknowledges it', async () => {
    const node = redis.store(clientA, { claimIdleMs: 200, claimIntervalMs: 50 });
    await node.ready();
    let failures = 1;
    const seen = new HandedChanges(() =>
      failures-- > 0 ? Promise.reject(new Error('store unreachable')) : Promise.resolve(),
    );
    await expectLogged('warn', /Handling change \S+ failed \(store unreachable\)/, async () => {
      node.consumeChanges(seen.listener);
      const [id] = await publish(1);
      await seen.waitForCount(2, 5_000);
      expect(seen.ids).toEqual([id, id]);
    });
    await eventually(async () => (await pendingCount(redis.admin, redis.keyPrefix)) === 0, 'it was acknowledged');
  });

  it('removes consumers that hold nothing and were not seen for deadConsumerMs, never one holding entries', async () => {
    const node = redis.store(clientA, { consumerName: 'live', deadConsumerMs: 1, claimIntervalMs: 50 });
    await node.ready();
    const stream = `${redis.keyPrefix}stream`;
    await redis.admin.call('XGROUP', 'CREATECONSUMER', stream, 'web-push', 'ghost');
    await publish(1);
    await redis.admin.call('XREADGROUP', 'GROUP', 'web-push', 'holder', 'COUNT', '1', 'STREAMS', stream, '>');

    node.consumeChanges(new HandedChanges().listener);
    await eventually(async () => !(await consumers(redis.admin, redis.keyPrefix)).has('ghost'), 'the ghost is gone');
    const left = await consumers(redis.admin, redis.keyPrefix);
    expect(left.get('holder')).toBe(1);
    expect(left.has('live')).toBe(true);
  });

  it('the stop function ends one feed; close() ends all and closes the reader, never the given client', async () => {
    const readerName = `reader-${redis.keyPrefix}`;
    const node = redis.store(clientA, { readerConnectionName: readerName });
    await node.ready();
    const first = new HandedChanges();
    const second = new HandedChanges();
    const stopFirst = node.consumeChanges(first.listener);
    node.consumeChanges(second.listener);
    await eventually(async () => (await connectionsNamed(redis.admin, readerName)).length === 2, 'both readers open');

    await stopFirst();
    await eventually(async () => (await connectionsNamed(redis.admin, readerName)).length === 1, 'one reader closed');
    const ids = await publish(3);
    await second.waitForCount(3);
    expect(second.ids).toEqual(ids);
    expect(first.ids).toEqual([]);

    await node.close();
    await eventually(async () => (await connectionsNamed(redis.admin, readerName)).length === 0, 'every reader closed');
    expect(() => node.consumeChanges(first.listener)).toThrow(/closed/);
    await expect(clientA.ping()).resolves.toBe('PONG');
  });
});

describe('RedisPushSubscriptionStore.consumeChanges across a Redis restart', () => {
  let server: RedisServerProcess;
  let client: Redis;
  let nodeRedis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    client = new Redis(server.url);
    client.on('error', () => undefined); // the test restarts Redis on purpose
    nodeRedis = createClient({ url: server.url });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
  });
  afterAll(async () => {
    nodeRedis.destroy();
    client.disconnect();
    await server.destroy();
  });

  // node-redis fails the blocked XREADGROUP when the connection drops, so the loop itself reads again.
  it('resumes reading its group once Redis is back (the group persisted), and hands on what is published then', async () => {
    const store = new RedisPushSubscriptionStore({ client: nodeRedis, blockMs: 200, claimIdleMs: 60_000 });
    try {
      await store.ready();
      const seen = new HandedChanges();
      store.consumeChanges(seen.listener);
      const before = await publishStateChange(client, 'u1', { Email: 'before' });
      await seen.waitForCount(1);

      await expectLogged('log', /consumer group again/, () =>
        expectLogged('warn', /consumer group failed/, async () => {
          await server.kill();
          await server.start();
          await client.ping();
          const after = await publishStateChange(client, 'u1', { Email: 'after' });
          await seen.waitForCount(2, 10_000);
          expect(seen.ids).toEqual([before, after]);
        }),
      );
    } finally {
      await store.close();
    }
  });
});

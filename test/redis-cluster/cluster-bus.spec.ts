// The Redis bus on a real Redis Cluster (3 masters, 3 replicas; `scripts/redis-cluster.sh start`): an ioredis
// `Cluster` is a client like any other, every key sits in the slot of the prefix's hash tag, and the read
// loop blocks on the master that serves that slot.
import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { JmapPushConfigError } from '../../libs/jmap-push/src/errors/jmap-push-config.error';
import { publishStateChange, RedisPushBus, type RedisPushBusOptions } from '../../libs/jmap-push/src/redis';
import { ChangeRecorder } from '../redis/support/change-recorder';
import { connectionsNamed } from '../redis/support/redis-inspection';
import { eventually } from './support/eventually';
import { ClusterAdmin, clusterClient, requireHealthyCluster, uniqueClusterPrefix } from './support/redis-cluster';

jest.setTimeout(30_000);

/** `XREAD` calls a node has served so far (from `INFO commandstats`). */
async function xreadCalls(redis: Redis): Promise<number> {
  return Number(/cmdstat_xread:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
}

/** Runs `body` and fails if a read loop warned meanwhile that reading the change log failed. */
async function expectNoReaderWarning(body: () => Promise<void>): Promise<void> {
  const warnings: string[] = [];
  const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    warnings.push(String(message));
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
  }
  expect(warnings).toEqual([]);
}

describe('RedisPushBus on a Redis Cluster', () => {
  const admin = new ClusterAdmin();
  const clients: Cluster[] = [];
  const buses: RedisPushBus[] = [];
  let keyPrefix: string;

  /** A client of the cluster of its own, as each process has. */
  function client(options: ConstructorParameters<typeof Cluster>[1] = {}): Cluster {
    const cluster = clusterClient(options);
    clients.push(cluster);
    return cluster;
  }

  function node(cluster: Cluster, options: Partial<RedisPushBusOptions> = {}): RedisPushBus {
    const bus = new RedisPushBus({ client: cluster, keyPrefix, blockMs: 1_000, ...options });
    buses.push(bus);
    return bus;
  }

  beforeAll(requireHealthyCluster);
  beforeEach(() => {
    keyPrefix = uniqueClusterPrefix();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await Promise.all(clients.splice(0).map((cluster) => cluster.quit()));
    await admin.deleteKeys(keyPrefix);
  });
  afterAll(() => {
    admin.close();
  });

  it('refuses, at construction, a key prefix without a hash tag: its MULTIs would span slots', async () => {
    const cluster = client();
    for (const prefix of [undefined, 'jmap-push:', 'jmap-push:{}:', 'jmap-push:{:']) {
      expect(() => new RedisPushBus({ client: cluster, keyPrefix: prefix })).toThrow(JmapPushConfigError);
    }
    expect(() => new RedisPushBus({ client: cluster })).toThrow(/hash tag.*\{jmap-push\}:/);
    await expect(publishStateChange(cluster, 'acc-bob', { Email: 'e1' })).rejects.toThrow(JmapPushConfigError);
    // A hash tag in ioredis's own `keyPrefix` pins the keys as well.
    const tagged = new RedisPushBus({ client: client({ keyPrefix: `${keyPrefix}client:` }), keyPrefix: 'bus:' });
    await tagged.close();
  });

  it('reads on its own named connection, blocked on the master serving the slot, and writes on another there', async () => {
    // The application's client reads from replicas; the read loop must still read where writes land.
    const bus = node(client({ scaleReads: 'slave' }));
    await bus.ready();
    const { master } = await admin.slotOwner(keyPrefix);
    const owner = admin.node(master.port);
    await eventually(async () => {
      const readers = await connectionsNamed(owner, 'jmap-push:reader');
      expect(readers.map((reader) => reader.cmd)).toEqual(['xread']);
    }, 'the reader blocks in XREAD on the master of the slot');
    for (const other of (await admin.nodes()).filter((node) => node.port !== master.port)) {
      const elsewhere = await connectionsNamed(admin.node(other.port), 'jmap-push:reader');
      expect(elsewhere.filter((reader) => reader.cmd === 'xread')).toEqual([]);
    }

    const id = await bus.publish('acc-bob', { Email: 'e1' });
    const writers = await connectionsNamed(owner, 'jmap-push:writer');
    expect(writers.map((writer) => writer.cmd)).toEqual(['exec']);
    // The entry lives on that master (and nowhere else: it is the only one serving the slot).
    expect(await owner.xrange(`${keyPrefix}stream`, '-', '+')).toEqual([
      [id, ['account', 'acc-bob', 'changed', '{"Email":"e1"}']],
    ]);
  });

  it('blocks in XREAD for blockMs even when the client’s own commands time out sooner', async () => {
    // The application's client fails commands after 200 ms; the read loop's connections must not inherit
    // that, or every XREAD BLOCK would time out, warn and back off (delaying deliveries by seconds).
    const bus = node(client({ redisOptions: { commandTimeout: 200 } }), { blockMs: 600 });
    const { master } = await admin.slotOwner(keyPrefix);
    const owner = admin.node(master.port);
    const readsBefore = await xreadCalls(owner);
    await expectNoReaderWarning(async () => {
      await bus.ready();
      // Three XREADs sent: at least two ended by their 600 ms BLOCK timeout (no entries come), no failure.
      await eventually(
        async () => {
          expect(await xreadCalls(owner)).toBeGreaterThanOrEqual(readsBefore + 3);
        },
        'three XREAD BLOCKs were sent',
        10_000,
      );
      const recorder = new ChangeRecorder(bus);
      const id = await bus.publish('acc-bob', { Email: 'e1' });
      await recorder.waitForId(id);
      recorder.stop();
    });
  });

  it('delivers every change to every node once, in change-log order, and replays from the cluster', async () => {
    const [a, b] = [node(client()), node(client())];
    await Promise.all([a.ready(), b.ready()]);
    const recorders = [new ChangeRecorder(a), new ChangeRecorder(b)];
    const worker = client();

    const first = await a.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    const ids = [
      first,
      await b.publish('acc-alice', { Thread: 't1' }),
      await publishStateChange(worker, 'acc-bob', { Email: 'e2' }, { keyPrefix }),
      await a.publish('acc-carol', { Email: 'c1' }),
    ];
    for (const recorder of recorders) {
      await recorder.waitForCount(ids.length);
      expect(recorder.ids).toEqual(ids);
    }

    // A node started after the changes has none of them in memory: its answers come from the cluster.
    const late = node(client());
    await late.ready();
    expect(late.currentId()).toBe(ids[3]);
    expect(await late.changesSince(first, ['acc-bob', 'acc-alice'])).toEqual({
      id: ids[3],
      accounts: new Map([
        ['acc-alice', { Thread: 't1' }],
        ['acc-bob', { Email: 'e2' }],
      ]),
    });
    expect(await late.latestStates(['acc-bob', 'acc-carol', 'acc-nobody'])).toEqual({
      id: ids[3],
      accounts: new Map([
        ['acc-bob', { Email: 'e2', Mailbox: 'm1' }],
        ['acc-carol', { Email: 'c1' }],
      ]),
    });
    // An id from before anything retained, or from no stream at all, gets `undefined` (the latest states).
    expect(await late.changesSince(`${Date.now() + 3_600_000}-0`, ['acc-bob'])).toBeUndefined();
    for (const recorder of recorders) recorder.stop();
  });

  it('works the same under a hash tag in ioredis’s own keyPrefix (XINFO, which ioredis does not prefix, included)', async () => {
    const clientPrefix = keyPrefix;
    const [a, b] = [
      node(client({ keyPrefix: clientPrefix }), { keyPrefix: 'bus:' }),
      node(client({ keyPrefix: clientPrefix }), { keyPrefix: 'bus:' }),
    ];
    await Promise.all([a.ready(), b.ready()]);
    const recorder = new ChangeRecorder(b);
    const first = await a.publish('acc-bob', { Email: 'e1' });
    const last = await a.publish('acc-bob', { Email: 'e2' });
    await recorder.waitForCount(2);
    expect(recorder.ids).toEqual([first, last]);
    const { master } = await admin.slotOwner(clientPrefix);
    expect(await admin.node(master.port).xlen(`${clientPrefix}bus:stream`)).toBe(2);
    const late = node(client({ keyPrefix: clientPrefix }), { keyPrefix: 'bus:' });
    await late.ready();
    expect(await late.changesSince(first, ['acc-bob'])).toEqual({
      id: last,
      accounts: new Map([['acc-bob', { Email: 'e2' }]]),
    });
    recorder.stop();
  });
});

// Two app nodes on a real Redis Cluster (`scripts/redis-cluster.sh start`, cluster-node-timeout 2 s) while
// the master serving the bus's slot hands over to its replica, mid-stream: by a manual failover, then by a
// crash. Publishes keep coming the whole time; every client (event source on both nodes, a WebSocket) must
// end at the latest state, having seen changes in order and none twice. Each test leaves a healthy cluster
// behind (`afterEach` restarts a killed node, which rejoins as a replica), so the other cluster tests may
// run after it in the same `--runInBand` run.
import { Logger } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { compareEventIds, parseEventId } from '../../libs/jmap-push/src/bus/event-id';
import { RedisPushBus } from '../../libs/jmap-push/src/redis';
import { xrangeCalls } from '../redis/support/redis-inspection';
import { basicAuth, openEventStream, type EventStream } from '../support/sse-client';
import { waitUntil } from '../support/wait';
import { enablePush, openJmapSocket, type JmapSocket } from '../support/ws-client';
import { startClusterNode, stopClusterNode, type ClusterNode } from './support/cluster-node';
import { eventually } from './support/eventually';
import {
  ClusterAdmin,
  clusterClient,
  requireHealthyCluster,
  restoreCluster,
  uniqueClusterPrefix,
  type ClusterNode as RedisNode,
} from './support/redis-cluster';
import { SteadyPublisher, type Acknowledged } from './support/steady-publisher';

jest.setTimeout(90_000);

const BOB = { Authorization: basicAuth('bob@example.com', 'bob-secret') };
const ALL = 'types=*&closeafter=no&ping=0';

/** What one client saw: the event id and acc-bob's Email state of every StateChange, in arrival order. */
type Observed = Acknowledged;

function fromEventSource(stream: EventStream): Observed[] {
  return stream.frames
    .filter((frame) => frame.event === 'state')
    .map((frame) => {
      const { changed } = JSON.parse(frame.data as string) as { changed: Record<string, { Email: string }> };
      return { id: frame.id as string, state: Number(changed['acc-bob'].Email) };
    });
}

function fromWebSocket(socket: JmapSocket): Observed[] {
  return socket.messages
    .filter((message) => message['@type'] === 'StateChange')
    .map((message) => {
      const changed = message.changed as Record<string, { Email: string }>;
      return { id: message.pushState as string, state: Number(changed['acc-bob'].Email) };
    });
}

/** Strictly increasing ids and states: in change-log order, nothing twice, nothing stale after something newer. */
function expectInOrderOnce(observed: readonly Observed[]): void {
  for (let i = 1; i < observed.length; i++) {
    const [before, after] = [observed[i - 1], observed[i]];
    expect({ before, after, ordered: compareEventIds(parseEventId(after.id)!, parseEventId(before.id)!) > 0 }).toEqual({
      before,
      after,
      ordered: true,
    });
    expect(after.state).toBeGreaterThan(before.state);
  }
}

describe('jmap-push on a Redis Cluster while the master of its slot fails over', () => {
  const admin = new ClusterAdmin();
  let keyPrefix: string;
  let nodes: ClusterNode[] = [];
  const streams: EventStream[] = [];
  const sockets: JmapSocket[] = [];
  const readerWarnings: string[] = [];
  let warn: jest.SpyInstance | undefined;

  /**
   * Two nodes and three clients (event source on each node, a WebSocket on node B), all listening. Node A
   * keeps one change in memory, so what its clients replay comes from the cluster, through its own client.
   */
  async function setUp(): Promise<{ clients: Array<() => Observed[]> }> {
    nodes = await Promise.all([startClusterNode(keyPrefix, { replayWindow: 1 }), startClusterNode(keyPrefix)]);
    const [a, b] = nodes;
    for (const node of [a, b]) {
      const stream = await openEventStream(node.push.url(ALL), BOB);
      streams.push(stream);
      expect(stream.status).toBe(200);
      await stream.next();
    }
    const socket = await openJmapSocket(b.push.wsUrl, { user: 'bob@example.com' });
    sockets.push(socket);
    await enablePush(socket, { dataTypes: null });
    return {
      clients: [() => fromEventSource(streams[0]), () => fromEventSource(streams[1]), () => fromWebSocket(socket)],
    };
  }

  /** Waits until `replica` serves the slot as a master, as every other node sees it too. */
  async function promoted(replica: RedisNode, slot: number, timeoutMs: number): Promise<void> {
    await eventually(
      async () => {
        const view = await admin.nodes(replica.port);
        const self = view.find((node) => node.id === replica.id);
        expect(self?.role).toBe('master');
        expect(self?.slots.some(([from, to]) => from <= slot && slot <= to)).toBe(true);
        expect(await admin.node(replica.port).call('CLUSTER', 'INFO')).toMatch(/cluster_state:ok/);
      },
      `node ${replica.port} serves slot ${slot}`,
      timeoutMs,
    );
  }

  /** Waits until every client has seen `last`, the backend's last change, and checks it is their last. */
  async function converged(clients: Array<() => Observed[]>, last: Acknowledged): Promise<void> {
    for (const [index, observed] of clients.entries()) {
      await waitUntil(
        () => observed().some((seen) => seen.id === last.id),
        `client ${index} sees the last change ${last.id}`,
        30_000,
      );
      expect(observed().at(-1)).toEqual(last);
      expectInOrderOnce(observed());
    }
  }

  beforeAll(requireHealthyCluster);
  beforeEach(() => {
    keyPrefix = uniqueClusterPrefix();
    readerWarnings.length = 0;
    // The read loops warn once when they lose their master: expected here, and counted, not printed.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the logger as `this`
    const original = Logger.prototype.warn;
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message, ...rest) {
      if (typeof message === 'string' && message.startsWith('Reading the change log failed')) {
        readerWarnings.push(message);
      } else original.call(this, message, ...rest);
    });
  });
  afterEach(async () => {
    warn?.mockRestore();
    for (const stream of streams.splice(0)) stream.close();
    for (const socket of sockets.splice(0)) socket.close();
    await Promise.all(nodes.splice(0).map(stopClusterNode));
    // Whatever the test did to the cluster, the next one finds it healthy (restarting a killed node).
    await restoreCluster();
    await admin.deleteKeys(keyPrefix);
  });
  afterAll(() => {
    admin.close();
  });

  it('a manual failover (CLUSTER FAILOVER on the replica): nothing acknowledged is lost, every client gets the change log exactly', async () => {
    const { clients } = await setUp();
    const publisher = new SteadyPublisher(nodes);
    await publisher.acknowledgedCount(10);

    const { slot, master, replica } = await admin.slotOwner(keyPrefix);
    if (!replica) throw new Error(`the master of slot ${slot} has no replica`);
    // Coordinated: the master stops writes, the replica catches up, then takes the slots over.
    expect(await admin.node(replica.port).call('CLUSTER', 'FAILOVER')).toBe('OK');
    await promoted(replica, slot, 20_000);
    const atPromotion = publisher.acknowledged.length;
    await publisher.acknowledgedCount(atPromotion + 10);
    const last = await publisher.stop();

    await converged(clients, last);
    // The old master is now a replica of the new one; the change log lives on the new master.
    expect((await admin.slotOwner(keyPrefix, replica.port)).master.port).toBe(replica.port);
    await eventually(async () => {
      expect(((await admin.node(master.port).call('ROLE')) as string[])[0]).toBe('slave');
    }, `node ${master.port} follows the new master`);
    const changeLog = (await admin.node(replica.port).xrange(`${keyPrefix}stream`, '-', '+')).map(([id, fields]) => ({
      id,
      state: Number((JSON.parse(fields[3]) as { Email: string }).Email),
    }));
    // A manual failover loses nothing: every acknowledged change is in the log...
    expect(publisher.acknowledged.filter(({ id }) => !changeLog.some((entry) => entry.id === id))).toEqual([]);
    // ...and every client received exactly the log: nothing lost, nothing twice, in order.
    for (const observed of clients) expect(observed()).toEqual(changeLog);
  });

  it('a crashed master (SIGKILL): publishes fail until its replica takes over, then every client converges', async () => {
    const { clients } = await setUp();
    const publisher = new SteadyPublisher(nodes);
    await publisher.acknowledgedCount(10);

    const { slot, master, replica } = await admin.slotOwner(keyPrefix);
    if (!replica) throw new Error(`the master of slot ${slot} has no replica`);
    const pid = Number(/process_id:(\d+)/.exec(await admin.node(master.port).info('server'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    const failuresBefore = publisher.failures.length;
    process.kill(pid, 'SIGKILL');
    // Automatic failover: the others mark it failed after cluster-node-timeout, and the replica is elected.
    await promoted(replica, slot, 30_000);
    const atPromotion = publisher.acknowledged.length;
    await publisher.acknowledgedCount(atPromotion + 10);
    const last = await publisher.stop();

    // While the slot had no master, publishes were refused, loudly, and the backend went on.
    expect(publisher.failures.length).toBeGreaterThan(failuresBefore);
    expect(publisher.failures.at(-1)).toMatch(/Redis/);
    // Every node's read loop lost its master, said so once, and read on from the new one.
    expect(readerWarnings.length).toBeGreaterThanOrEqual(nodes.length);
    await converged(clients, last);
    // Nothing acknowledged after the takeover is missing anywhere.
    const afterTakeover = publisher.acknowledged.slice(atPromotion);
    for (const observed of clients) {
      const ids = new Set(observed().map(({ id }) => id));
      expect(afterTakeover.filter(({ id }) => !ids.has(id))).toEqual([]);
    }

    // A client reconnecting to node A from a change after the takeover gets the rest from the new master,
    // read through the node's own Cluster client, which found the new master too.
    const from = afterTakeover[0];
    const readsBefore = await xrangeCalls(admin.node(replica.port));
    const replay = await openEventStream(nodes[0].push.url('types=*&closeafter=state&ping=0'), {
      ...BOB,
      'Last-Event-ID': from.id,
    });
    streams.push(replay);
    const merged = await replay.nextEvent('state', 10_000);
    expect(merged.id).toBe(last.id);
    expect(JSON.parse(merged.data as string)).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: String(last.state) } },
    });
    expect(await xrangeCalls(admin.node(replica.port))).toBeGreaterThan(readsBefore);
  });
});

describe('a publish stuck on a master that is then replaced', () => {
  const admin = new ClusterAdmin();
  const keyPrefix = uniqueClusterPrefix();
  let redis: Cluster | undefined;
  let bus: RedisPushBus | undefined;

  beforeAll(requireHealthyCluster);
  afterAll(async () => {
    try {
      await bus?.close();
      redis?.disconnect();
      await restoreCluster();
      await admin.deleteKeys(keyPrefix);
    } finally {
      admin.close();
    }
  });

  it('is rejected, and never carried out later by the new master behind the caller', async () => {
    redis = clusterClient();
    bus = new RedisPushBus({ client: redis, keyPrefix, commandTimeoutMs: 500 });
    const before = await bus.publish('acc-bob', { Email: 'before' });
    const { slot, master, replica } = await admin.slotOwner(keyPrefix);
    if (!replica) throw new Error(`the master of slot ${slot} has no replica`);
    const pid = Number(/process_id:(\d+)/.exec(await admin.node(master.port).info('server'))?.[1]);

    // The master hangs (a stopped process): the write goes out on the open connection and waits there.
    process.kill(pid, 'SIGSTOP');
    await expect(bus.publish('acc-bob', { Email: 'held' })).rejects.toThrow(/did not answer within 500 ms/);
    // Its replica takes the slot over without it; then it dies, closing the connection the write waits on.
    expect(await admin.node(replica.port).call('CLUSTER', 'FAILOVER', 'TAKEOVER')).toBe('OK');
    await eventually(
      async () => {
        expect((await admin.slotOwner(keyPrefix, replica.port)).master.port).toBe(replica.port);
      },
      `node ${replica.port} serves slot ${slot}`,
      10_000,
    );
    process.kill(pid, 'SIGKILL');

    // The next write lands on the new master (its first attempts may meet the slot map being refreshed).
    let after: string | undefined;
    for (let attempt = 0; attempt < 50 && !after; attempt++) {
      after = await bus.publish('acc-bob', { Email: 'after' }).catch(() => undefined);
    }
    expect(after).toBeDefined();
    // An absence needs a window: the one ioredis would retry a write in after its connection closed
    // (maxRedirections 16 x retryDelayOnFailover 100 ms, by default), with room to spare.
    await new Promise((wake) => setTimeout(wake, 2_500));
    const owner = admin.node(replica.port);
    const log = await owner.xrange(`${keyPrefix}stream`, '-', '+');
    expect(log.map(([id, fields]) => [id, fields[3]])).toEqual([
      [before, '{"Email":"before"}'],
      [after, '{"Email":"after"}'],
    ]);
    expect(await owner.hgetall(`${keyPrefix}latest:acc-bob`)).toEqual({ Email: 'after' });
  });
});

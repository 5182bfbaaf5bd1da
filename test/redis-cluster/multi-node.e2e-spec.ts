// Two app nodes on a real Redis Cluster (`scripts/redis-cluster.sh start`), as test/redis/multi-node does on
// one Redis: event ids are change-log entry ids, the same on every node, so a client may reconnect to any
// node (RFC 8620 section 7.3, Last-Event-ID; RFC 8887 section 4.3.5.2, pushState).
import { publishStateChange } from '../../libs/jmap-push/src/redis';
import { xrangeCalls } from '../redis/support/redis-inspection';
import { basicAuth, openEventStream, type EventStream, type SseFrame } from '../support/sse-client';
import { waitUntil } from '../support/wait';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { request } from '../websocket/support/ws-app';
import { startClusterNode, stopClusterNode, type ClusterNode } from './support/cluster-node';
import { ClusterAdmin, clusterClient, requireHealthyCluster, uniqueClusterPrefix } from './support/redis-cluster';

jest.setTimeout(30_000);

const BOB = { Authorization: basicAuth('bob@example.com', 'bob-secret') }; // acc-bob, acc-alice
const ALL = 'types=*&closeafter=no&ping=0';

function stateOf(frame: SseFrame): unknown {
  expect(frame.event).toBe('state');
  return JSON.parse(frame.data as string);
}

describe('jmap-push on two nodes sharing a Redis Cluster', () => {
  const admin = new ClusterAdmin();
  let keyPrefix: string;
  let nodes: ClusterNode[] = [];
  const streams: EventStream[] = [];

  async function open(node: ClusterNode, headers: Record<string, string>): Promise<EventStream> {
    const stream = await openEventStream(node.push.url(ALL), headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  }

  beforeAll(requireHealthyCluster);
  beforeEach(() => {
    keyPrefix = uniqueClusterPrefix();
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all(nodes.splice(0).map(stopClusterNode));
    await admin.deleteKeys(keyPrefix);
  });
  afterAll(() => {
    admin.close();
  });

  it('a change published on node A reaches the event-source streams on node B and A, once, with one id', async () => {
    nodes = await Promise.all([startClusterNode(keyPrefix), startClusterNode(keyPrefix)]);
    const [a, b] = nodes;
    const [onA, onB] = await Promise.all([open(a, BOB), open(b, BOB)]);
    // Both start at the change log's head, on its master: the same id.
    const heads = await Promise.all([onA.next(), onB.next()]);
    expect(heads[0].id).toBe(heads[1].id);

    const e1 = await a.push.stateChanges.publish('acc-bob', { Email: 'e1', Thread: 't1' });
    const m1 = await b.push.stateChanges.publish('acc-alice', { Mailbox: 'm1' });
    for (const stream of [onB, onA]) {
      const first = await stream.nextEvent('state');
      expect(first.id).toBe(e1);
      expect(stateOf(first)).toEqual({ '@type': 'StateChange', changed: { 'acc-bob': { Email: 'e1', Thread: 't1' } } });
      const second = await stream.nextEvent('state');
      expect(second.id).toBe(m1);
      expect(stateOf(second)).toEqual({ '@type': 'StateChange', changed: { 'acc-alice': { Mailbox: 'm1' } } });
    }
    // Once: a sentinel is the next state event on both, so nothing came twice before it.
    const sentinel = await a.push.stateChanges.publish('acc-bob', { Email: 'e2' });
    for (const stream of [onA, onB]) expect((await stream.nextEvent('state')).id).toBe(sentinel);
  });

  it('a client reconnecting to the other node with Last-Event-ID gets exactly what it missed, read from the cluster', async () => {
    // Node B keeps one change in memory: what the client missed is read from the change log on the cluster.
    nodes = [await startClusterNode(keyPrefix), await startClusterNode(keyPrefix, { replayWindow: 1 })];
    const [a, b] = nodes;
    const onA = await open(a, BOB);
    await onA.next();
    const seen = await a.push.stateChanges.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    expect((await onA.nextEvent('state')).id).toBe(seen);
    onA.close();

    // While the client is away: changes on both nodes, one for an account bob may not read, one from a worker.
    const worker = clusterClient();
    await b.push.stateChanges.publish('acc-bob', { Email: 'e2' });
    await a.push.stateChanges.publish('acc-carol', { Email: 'not bob’s' });
    await publishStateChange(worker, 'acc-alice', { EmailDelivery: 'd1' }, { keyPrefix });
    await worker.quit();
    const last = await a.push.stateChanges.publish('acc-bob', { Thread: 't3', Email: 'e3' });
    await waitUntil(() => b.bus.currentId() === last, 'node B has read the last change');

    const { master } = await admin.slotOwner(keyPrefix);
    const readsBefore = await xrangeCalls(admin.node(master.port));
    const onB = await open(b, { ...BOB, 'Last-Event-ID': seen });
    const replay = await onB.nextEvent('state');
    expect(replay.id).toBe(last);
    expect(await xrangeCalls(admin.node(master.port))).toBeGreaterThan(readsBefore);
    expect(stateOf(replay)).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e3', Thread: 't3' }, 'acc-alice': { EmailDelivery: 'd1' } },
    });

    // Then live, without repeating anything the replay covered.
    const live = await a.push.stateChanges.publish('acc-alice', { Mailbox: 'm4' });
    const next = await onB.nextEvent('state');
    expect(next.id).toBe(live);
    expect(stateOf(next)).toEqual({ '@type': 'StateChange', changed: { 'acc-alice': { Mailbox: 'm4' } } });
  });

  it('a WebSocket push enable on node A with the pushState node B sent gets exactly the changes missed since', async () => {
    nodes = [await startClusterNode(keyPrefix, { replayWindow: 1 }), await startClusterNode(keyPrefix)];
    const [a, b] = nodes;
    const onB = await openJmapSocket(b.push.wsUrl, { user: 'bob@example.com' });
    await enablePush(onB, { dataTypes: null });
    const seen = await a.push.stateChanges.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    const change = await onB.next();
    expect(change).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e1', Mailbox: 'm1' } },
      pushState: seen,
    });
    onB.close();
    await onB.closed;

    await b.push.stateChanges.publish('acc-bob', { Email: 'e2' });
    await a.push.stateChanges.publish('acc-carol', { Email: 'carols' });
    const last = await b.push.stateChanges.publish('acc-alice', { Thread: 't1' });
    await waitUntil(() => a.bus.currentId() === last, 'node A has read the last change');

    const onA = await openJmapSocket(a.push.wsUrl, { user: 'bob@example.com' });
    onA.send({ '@type': 'WebSocketPushEnable', dataTypes: null, pushState: change.pushState });
    expect(await onA.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e2' }, 'acc-alice': { Thread: 't1' } },
      pushState: last,
    });
    // Exactly those: nothing else comes before the next Response.
    onA.send(request('after'));
    expect(await onA.next()).toMatchObject({ '@type': 'Response', requestId: 'after' });

    const live = await b.push.stateChanges.publish('acc-bob', { Email: 'e3' });
    expect(await onA.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e3' } },
      pushState: live,
    });
    onA.close();
    await onA.closed;
  });
});

// Issue 13, "The endpoint" 3 with the Redis bus (real Redis on 127.0.0.1:6379): pushState is the event id,
// the same token on every node, so an enable on node A with a pushState node B sent gets exactly the
// changes missed since then (RFC 8887 section 4.3.5.2).
import Redis from 'ioredis';
import { RedisPushBus } from 'jmap-push/redis';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from '../redis/support/redis-test-keys';
import { waitUntil } from '../support/wait';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { request, startWsApp, type WsApp } from './support/ws-app';

jest.setTimeout(30_000);

interface Node {
  readonly push: WsApp;
  readonly bus: RedisPushBus;
  readonly redis: Redis;
}

/** Waits until `node`'s reader has read up to `id`: what it replays from then on covers `id`. */
async function caughtUp(node: Node, id: string): Promise<void> {
  await waitUntil(() => node.bus.currentId() === id, `the node's reader reaches ${id}`);
}

async function startNode(keyPrefix: string): Promise<Node> {
  const redis = new Redis(REDIS_URL);
  const bus = new RedisPushBus({ client: redis, keyPrefix, blockMs: 1_000, commandTimeoutMs: 1_000 });
  const push = await startWsApp({ bus });
  await bus.ready();
  return { push, bus, redis };
}

describe('JMAP WebSocket push on two nodes sharing one Redis', () => {
  let admin: Redis;
  let keyPrefix: string;
  let nodes: Node[] = [];
  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });
  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) {
      await node.push.close();
      node.redis.disconnect();
    }
    await deleteKeys(admin, keyPrefix);
  });

  it('an enable on node A with the pushState node B sent gets exactly the changes missed since', async () => {
    nodes = [await startNode(keyPrefix), await startNode(keyPrefix)];
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

    // Missed while away, published on both nodes; and one for an account bob may not read.
    await b.push.stateChanges.publish('acc-bob', { Email: 'e2' });
    await a.push.stateChanges.publish('acc-carol', { Email: 'carols' });
    const last = await a.push.stateChanges.publish('acc-alice', { Thread: 't1' });

    await caughtUp(a, last);
    const onA = await openJmapSocket(a.push.wsUrl, { user: 'bob@example.com' });
    onA.send({ '@type': 'WebSocketPushEnable', dataTypes: null, pushState: change.pushState });
    expect(await onA.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e2' }, 'acc-alice': { Thread: 't1' } },
      pushState: last,
    });
    // Exactly those: nothing else is sent before the next Response.
    onA.send(request('after'));
    expect(await onA.next()).toMatchObject({ '@type': 'Response', requestId: 'after' });

    // And it goes on live, from either node.
    const live = await b.push.stateChanges.publish('acc-bob', { Email: 'e3' });
    expect(await onA.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e3' } },
      pushState: live,
    });
    onA.close();
    await onA.closed;
  });

  it('a dataTypes list filters the changes replayed from Redis', async () => {
    nodes = [await startNode(keyPrefix), await startNode(keyPrefix)];
    const [a, b] = nodes;
    const from = await b.push.stateChanges.publish('acc-bob', { Email: 'e0' });
    await b.push.stateChanges.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    const last = await b.push.stateChanges.publish('acc-bob', { Email: 'e2' });
    await caughtUp(a, last);
    const socket = await openJmapSocket(a.push.wsUrl, { user: 'bob@example.com' });
    socket.send({ '@type': 'WebSocketPushEnable', dataTypes: ['Mailbox'], pushState: from });
    expect(await socket.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Mailbox: 'm1' } },
      pushState: last,
    });
    socket.close();
    await socket.closed;
  });
});

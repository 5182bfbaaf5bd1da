import Redis from 'ioredis';
import { RedisPushBus, publishStateChange } from 'jmap-push/redis';
import { startPushApp, type PushApp } from '../support/push-app';
import { basicAuth, openEventStream, type EventStream, type SseFrame } from '../support/sse-client';
import { RedisServerProcess } from './support/redis-server-process';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from './support/redis-test-keys';

jest.setTimeout(30_000);

const BOB = { Authorization: basicAuth('bob@example.com', 'bob-secret') }; // acc-bob, acc-alice
const CAROL = { Authorization: basicAuth('carol@example.com', 'carol-secret') }; // acc-carol
const ALL = 'types=*&closeafter=no&ping=0';

/** One node: a Nest app with the push module on a Redis bus, with its own Redis client (as a process would). */
interface Node {
  readonly push: PushApp;
  readonly bus: RedisPushBus;
  readonly redis: Redis;
}

async function startNode(
  url: string,
  keyPrefix: string,
  options: { maxLen?: number; replayWindow?: number } = {},
): Promise<Node> {
  const redis = new Redis(url);
  redis.on('error', () => undefined); // the restart test takes Redis away on purpose
  const bus = new RedisPushBus({ client: redis, keyPrefix, blockMs: 1_000, commandTimeoutMs: 1_000, ...options });
  const push = await startPushApp({ bus });
  // Streams opened before the read loop knows the stream's head would start from 0-0.
  await bus.ready();
  return { push, bus, redis };
}

async function stopNode(node: Node): Promise<void> {
  await node.push.close(); // closes the bus (module shutdown) but not the client...
  node.redis.disconnect(); // ...which stays ours to close
}

function stateOf(frame: SseFrame): unknown {
  expect(frame.event).toBe('state');
  return JSON.parse(frame.data as string);
}

describe('jmap-push on several nodes sharing one Redis', () => {
  let admin: Redis;
  let keyPrefix: string;
  let nodes: Node[] = [];
  const streams: EventStream[] = [];

  async function open(node: Node, headers: Record<string, string>, query = ALL): Promise<EventStream> {
    const stream = await openEventStream(node.push.url(query), headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  }

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });

  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
  });

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all(nodes.splice(0).map(stopNode));
    await deleteKeys(admin, keyPrefix);
  });

  afterAll(async () => {
    await admin.quit();
  });

  it('a change published on one node reaches the streams of its account on every node, once, with one id', async () => {
    nodes = await Promise.all([1, 2, 3].map(() => startNode(REDIS_URL, keyPrefix)));
    const bobs = await Promise.all(nodes.map((node) => open(node, BOB)));
    const carol = await open(nodes[2], CAROL);
    const firstIds = await Promise.all([...bobs, carol].map(async (stream) => (await stream.next()).id));
    // Every node starts its streams at the same place: the stream's head.
    expect(new Set(firstIds).size).toBe(1);

    const e1 = await nodes[0].push.stateChanges.publish('acc-bob', { Email: 'e1', Thread: 't1' });
    const m1 = await nodes[1].push.stateChanges.publish('acc-alice', { Mailbox: 'm1' });
    const c1 = await nodes[2].push.stateChanges.publish('acc-carol', { Email: 'c1' });

    for (const bob of bobs) {
      const first = await bob.nextEvent('state');
      expect(first.id).toBe(e1);
      expect(stateOf(first)).toEqual({ '@type': 'StateChange', changed: { 'acc-bob': { Email: 'e1', Thread: 't1' } } });
      const second = await bob.nextEvent('state');
      expect(second.id).toBe(m1);
      expect(stateOf(second)).toEqual({ '@type': 'StateChange', changed: { 'acc-alice': { Mailbox: 'm1' } } });
    }
    // Carol hears only her account: her first state event is c1, though e1 and m1 came before it.
    const carols = await carol.nextEvent('state');
    expect(carols.id).toBe(c1);
    expect(stateOf(carols)).toEqual({ '@type': 'StateChange', changed: { 'acc-carol': { Email: 'c1' } } });

    // Once: a sentinel is the next state event everywhere, so nothing came twice before it.
    const sentinel = await nodes[1].push.stateChanges.publish('acc-bob', { Email: 'e2' });
    for (const bob of bobs) expect((await bob.nextEvent('state')).id).toBe(sentinel);
  });

  it('a client reconnecting to another node with Last-Event-ID gets exactly what it missed, merged, at once', async () => {
    nodes = await Promise.all([1, 2, 3].map(() => startNode(REDIS_URL, keyPrefix)));
    const onFirst = await open(nodes[0], BOB);
    await onFirst.next();
    const seen = await nodes[0].push.stateChanges.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    expect((await onFirst.nextEvent('state')).id).toBe(seen);
    onFirst.close();

    // While the client is away: changes on the other nodes, one from a worker outside Nest.
    await nodes[1].push.stateChanges.publish('acc-bob', { Email: 'e2' });
    await nodes[2].push.stateChanges.publish('acc-carol', { Email: 'not bob’s' });
    await publishStateChange(admin, 'acc-alice', { EmailDelivery: 'd1' }, { keyPrefix });
    const last = await nodes[1].push.stateChanges.publish('acc-bob', { Thread: 't3', Email: 'e3' });

    const onThird = await open(nodes[2], { ...BOB, 'Last-Event-ID': seen });
    const replay = await onThird.nextEvent('state');
    expect(replay.id).toBe(last);
    expect(stateOf(replay)).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e3', Thread: 't3' }, 'acc-alice': { EmailDelivery: 'd1' } },
    });

    // The stream goes on live after the replay, without repeating anything the replay covered.
    const live = await nodes[0].push.stateChanges.publish('acc-alice', { Mailbox: 'm4' });
    const next = await onThird.nextEvent('state');
    expect(next.id).toBe(live);
    expect(stateOf(next)).toEqual({ '@type': 'StateChange', changed: { 'acc-alice': { Mailbox: 'm4' } } });
  });

  it('a client whose Last-Event-ID is already current on the new node gets no event, then live ones', async () => {
    nodes = await Promise.all([1, 2].map(() => startNode(REDIS_URL, keyPrefix)));
    const onFirst = await open(nodes[0], BOB);
    await onFirst.next();
    const seen = await nodes[1].push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect((await onFirst.nextEvent('state')).id).toBe(seen);
    onFirst.close();

    const onSecond = await open(nodes[1], { ...BOB, 'Last-Event-ID': seen });
    const live = await nodes[0].push.stateChanges.publish('acc-bob', { Email: 'e2' });
    const frames: SseFrame[] = [];
    for (let frame = await onSecond.next(); frame.id !== live; frame = await onSecond.next()) frames.push(frame);
    // Before the live event: only the id frame (the client's own id again), no state event.
    expect(frames.filter((frame) => frame.event === 'state')).toEqual([]);
    expect(frames.map((frame) => frame.id).filter(Boolean)).toEqual([seen]);
  });

  it('an id older than the retained stream gets the latest states of every account (closeafter=state)', async () => {
    nodes = await Promise.all([1, 2].map(() => startNode(REDIS_URL, keyPrefix, { maxLen: 10, replayWindow: 10 })));
    const onFirst = await open(nodes[0], BOB);
    await onFirst.next();
    const seen = await nodes[0].push.stateChanges.publish('acc-bob', { Email: 'e0', Mailbox: 'm0' });
    expect((await onFirst.nextEvent('state')).id).toBe(seen);
    onFirst.close();

    // `MAXLEN ~` trims whole radix-tree nodes (100 entries): publish well past one.
    let last = seen;
    for (let i = 1; i <= 250; i++)
      last = await nodes[1].bus.publish(i % 2 ? 'acc-alice' : 'acc-carol', { Email: `e${i}` });
    const [[oldest]] = await admin.xrange(`${keyPrefix}stream`, '-', '+', 'COUNT', 1);
    expect(oldest).not.toBe(seen);

    const again = await open(nodes[1], { ...BOB, 'Last-Event-ID': seen }, 'types=*&closeafter=state&ping=0');
    const latest = await again.nextEvent('state');
    expect(latest.id).toBe(last);
    expect(stateOf(latest)).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e0', Mailbox: 'm0' }, 'acc-alice': { Email: 'e249' } },
    });
    await again.ended;
  });
});

describe('jmap-push on two nodes when Redis restarts', () => {
  let server: RedisServerProcess;
  let nodes: Node[] = [];
  let streams: EventStream[] = [];

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all(nodes.splice(0).map(stopNode));
    await server.destroy();
  });

  it('publish fails loudly while Redis is away, streams stay open, and every node converges when it is back', async () => {
    server = await RedisServerProcess.start();
    nodes = await Promise.all([1, 2].map(() => startNode(server.url, 'jp:')));
    streams = await Promise.all(nodes.map((node) => openEventStream(node.push.url(ALL), BOB)));
    for (const stream of streams) await stream.next();
    const before = await nodes[0].push.stateChanges.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    for (const stream of streams) expect((await stream.nextEvent('state')).id).toBe(before);

    await server.kill();
    await expect(nodes[1].push.stateChanges.publish('acc-bob', { Email: 'lost' })).rejects.toThrow(/Redis/);
    await server.start();

    // The first publish after the restart may race the node's reconnection; its caller retries.
    let after: string | undefined;
    for (let attempt = 0; attempt < 20 && !after; attempt++) {
      after = await nodes[1].push.stateChanges.publish('acc-bob', { Email: 'e2' }).catch(() => undefined);
    }
    expect(after).toBeDefined();
    for (const stream of streams) {
      const frame = await stream.nextEvent('state', 10_000);
      expect(frame.id).toBe(after);
      expect(stateOf(frame)).toEqual({ '@type': 'StateChange', changed: { 'acc-bob': { Email: 'e2' } } });
    }

    // The latest states survived the restart: an id the stream does not know gets them, from before and after.
    const unknown = `${Date.now() + 3_600_000}-0`;
    const fresh = await openEventStream(nodes[0].push.url('types=*&closeafter=state&ping=0'), {
      ...BOB,
      'Last-Event-ID': unknown,
    });
    streams.push(fresh);
    const latest = await fresh.nextEvent('state');
    expect(stateOf(latest)).toEqual({ '@type': 'StateChange', changed: { 'acc-bob': { Email: 'e2', Mailbox: 'm1' } } });
  });
});

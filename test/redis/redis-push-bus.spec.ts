import { InvalidStateChangeError } from '../../libs/jmap-push/src/errors/invalid-state-change.error';
import Redis from 'ioredis';
import { compareEventIds, parseEventId } from '../../libs/jmap-push/src/bus/event-id';
import { publishStateChange } from '../../libs/jmap-push/src/redis';
import { expectLogged } from '../support/expected-logs';
import { ChangeRecorder } from './support/change-recorder';
import { connectionsNamed, redisConnections, xrangeCalls } from './support/redis-inspection';
import { REDIS_URL, uniqueKeyPrefix } from './support/redis-test-keys';
import { useSharedRedis } from './support/shared-redis';

/** Two buses on one Redis are two nodes: the tests below are about what one node sees of the other. */
describe('RedisPushBus on one Redis (two nodes)', () => {
  const redis = useSharedRedis();
  const { node } = redis;
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ clientA, clientB } = redis);
  });

  it('delivers every publish, from either node, to both nodes in stream order, once', async () => {
    const a = node(clientA);
    const b = node(clientB);
    const seenA = new ChangeRecorder(a);
    const seenB = new ChangeRecorder(b);
    await Promise.all([a.ready(), b.ready()]);

    const published: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const bus = i % 2 ? a : b;
      published.push(await bus.publish(`acc${i % 3}`, { Email: `e${i}`, Mailbox: `m${i}` }));
    }
    await Promise.all([seenA.waitForCount(10), seenB.waitForCount(10)]);
    // A sentinel after the ten: had anything arrived twice, it would have come before the sentinel.
    const sentinel = await a.publish('acc0', { Email: 'sentinel' });
    await Promise.all([seenA.waitForId(sentinel), seenB.waitForId(sentinel)]);

    const expected = [...published, sentinel];
    expect(seenA.ids).toEqual(expected);
    expect(seenB.ids).toEqual(expected);
    expect(seenB.changes[2]).toEqual({ id: published[2], accountId: 'acc0', changed: { Email: 'e3', Mailbox: 'm3' } });
    const parsed = expected.map((id) => parseEventId(id)!);
    for (let i = 1; i < parsed.length; i++) expect(compareEventIds(parsed[i - 1], parsed[i])).toBeLessThan(0);
    expect(a.currentId()).toBe(sentinel);
    expect(b.currentId()).toBe(sentinel);
  });

  it('starts at the head of an existing stream: currentId is its newest entry, older entries are not re-delivered', async () => {
    const writer = node(clientA);
    await writer.publish('u1', { Email: 'old1' });
    const head = await writer.publish('u1', { Email: 'old2' });

    const late = node(clientB);
    const seen = new ChangeRecorder(late);
    await late.ready();
    expect(late.currentId()).toBe(head);

    const next = await writer.publish('u1', { Email: 'new' });
    await seen.waitForId(next);
    expect(seen.ids).toEqual([next]);
  });

  it('currentId is 0-0 on a stream nothing was published to yet', async () => {
    const bus = node(clientA);
    await bus.ready();
    expect(bus.currentId()).toBe('0-0');
    await expect(Promise.resolve(bus.changesSince('0-0', ['u1']))).resolves.toEqual({ id: '0-0', accounts: new Map() });
  });

  it('replays on one node what was published on the other, merged per account, after the id (exclusive)', async () => {
    const a = node(clientA);
    const b = node(clientB);
    const seen = new ChangeRecorder(b);
    await b.ready();

    const seenByClient = await a.publish('u1', { Email: 'e1', Mailbox: 'm1' });
    await a.publish('u1', { Email: 'e2' });
    await a.publish('u2', { Email: 'x1' });
    await a.publish('u3', { Thread: 't1' });
    await a.publish('u1', { Thread: 't2', Email: 'e3' });
    const newest = await a.publish('u9', { Email: 'other' });
    await seen.waitForId(newest);

    const replay = await b.changesSince(seenByClient, ['u1', 'u2', 'u4']);
    expect(replay).toEqual({
      id: newest,
      accounts: new Map([
        ['u1', { Email: 'e3', Thread: 't2' }],
        ['u2', { Email: 'x1' }],
      ]),
    });
  });

  it('replays while the node itself is behind: id is the newest entry the replay read', async () => {
    const a = node(clientA);
    // B never listens: its read loop has not moved, the replay must come from Redis alone.
    const b = node(clientB);
    const first = await a.publish('u1', { Email: 'e1' });
    const newest = await a.publish('u2', { Email: 'e2' });
    await expect(Promise.resolve(b.changesSince(first, ['u1']))).resolves.toEqual({ id: newest, accounts: new Map() });
    await expect(Promise.resolve(b.changesSince(newest, ['u1', 'u2']))).resolves.toEqual({
      id: newest,
      accounts: new Map(),
    });
  });

  it('answers the node’s own current id without a replay', async () => {
    const a = node(clientA);
    const seen = new ChangeRecorder(a);
    await a.ready();
    const id = await a.publish('u1', { Email: 'e1' });
    await seen.waitForId(id);
    expect(a.changesSince(id, ['u1'])).toEqual({ id, accounts: new Map() });
  });

  it.each(['', 'abc', '12', '1-2-3', '-1-0', '1.5-0', ' 1-0', '1-0 '])(
    'answers undefined to the malformed id %p',
    async (id) => {
      const a = node(clientA);
      await a.publish('u1', { Email: 'e1' });
      expect(await a.changesSince(id, ['u1'])).toBeUndefined();
    },
  );

  it('answers undefined to an id newer than anything the stream produced (another bus, lost data)', async () => {
    const a = node(clientA);
    const id = await a.publish('u1', { Email: 'e1' });
    const { ms, seq } = parseEventId(id)!;
    await expect(Promise.resolve(a.changesSince(`${ms}-${seq + 1}`, ['u1']))).resolves.toBeUndefined();
    await expect(Promise.resolve(a.changesSince(`${ms + 60_000}-0`, ['u1']))).resolves.toBeUndefined();
    // A fresh prefix has no stream: only 0-0 is known there.
    const empty = node(clientB, { keyPrefix: uniqueKeyPrefix() });
    await expect(Promise.resolve(empty.changesSince(id, ['u1']))).resolves.toBeUndefined();
  });

  it('answers undefined to an id older than the retained stream, and keeps the latest states for it', async () => {
    const a = node(clientA, { maxLen: 10 });
    const first = await a.publish('u1', { Email: 'e0', Mailbox: 'm0' });
    let last = first;
    // `MAXLEN ~` trims whole radix-tree nodes (100 entries by default): publish well past one.
    for (let i = 1; i <= 300; i++) last = await a.publish(i % 2 ? 'u1' : 'u2', { Email: `e${i}` });
    const firstKept = await clientA.xrange(`${redis.keyPrefix}stream`, '-', '+', 'COUNT', 1);
    expect(firstKept[0][0]).not.toBe(first);

    await expect(Promise.resolve(a.changesSince(first, ['u1']))).resolves.toBeUndefined();
    await expect(Promise.resolve(a.changesSince('0-0', ['u1']))).resolves.toBeUndefined();
    await expect(a.latestStates(['u1', 'u2', 'nobody'])).resolves.toEqual({
      id: last,
      accounts: new Map([
        ['u1', { Email: 'e299', Mailbox: 'm0' }],
        ['u2', { Email: 'e300' }],
      ]),
    });
    // Ids still inside the stream replay exactly.
    const [[kept]] = await clientA
      .xrevrange(`${redis.keyPrefix}stream`, '+', '-', 'COUNT', 2)
      .then((rows) => rows.slice(1));
    await expect(Promise.resolve(a.changesSince(kept, ['u2']))).resolves.toEqual({
      id: last,
      accounts: new Map([['u2', { Email: 'e300' }]]),
    });
  });

  it('latestStates merges every publish per account, with the newest entry id', async () => {
    const a = node(clientA);
    const b = node(clientB);
    await a.publish('u1', { Email: 'e1', Mailbox: 'm1' });
    await b.publish('u1', { Email: 'e2' });
    const last = await a.publish('u2', { Thread: 't1' });
    await expect(b.latestStates(['u1', 'u2', 'u1'])).resolves.toEqual({
      id: last,
      accounts: new Map([
        ['u1', { Email: 'e2', Mailbox: 'm1' }],
        ['u2', { Thread: 't1' }],
      ]),
    });
    await expect(node(clientB, { keyPrefix: uniqueKeyPrefix() }).latestStates(['u1'])).resolves.toEqual({
      id: '0-0',
      accounts: new Map(),
    });
  });

  it.each([
    ['an empty account id', '', { Email: 'e1' }],
    ['an empty change', 'u1', {}],
    ['a non-string state', 'u1', { Email: 5 }],
  ])('rejects %s without writing', async (_, accountId, changed) => {
    const a = node(clientA);
    await expect(a.publish(accountId, changed as never)).rejects.toThrow(InvalidStateChangeError);
    await expect(clientA.exists(`${redis.keyPrefix}stream`)).resolves.toBe(0);
  });

  it('takes changes from publishStateChange (a worker outside Nest) like its own', async () => {
    const a = node(clientA);
    const seen = new ChangeRecorder(a);
    await a.ready();
    const worker = new Redis(REDIS_URL);
    try {
      const id = await publishStateChange(
        worker,
        'u1',
        { EmailDelivery: 'd1', Email: 'e1' },
        { keyPrefix: redis.keyPrefix },
      );
      await seen.waitForId(id);
      expect(seen.changes).toEqual([{ id, accountId: 'u1', changed: { EmailDelivery: 'd1', Email: 'e1' } }]);
      await expect(a.latestStates(['u1'])).resolves.toEqual({
        id,
        accounts: new Map([['u1', { EmailDelivery: 'd1', Email: 'e1' }]]),
      });
    } finally {
      await worker.quit();
    }
  });

  it('skips stream entries that are not state changes, without stalling', async () => {
    const a = node(clientA);
    const seen = new ChangeRecorder(a);
    await a.ready();
    await clientA.xadd(`${redis.keyPrefix}stream`, '*', 'account', 'u1', 'changed', 'not json');
    await clientA.xadd(`${redis.keyPrefix}stream`, '*', 'something', 'else');
    const id = await a.publish('u1', { Email: 'e1' });
    await seen.waitForId(id);
    expect(seen.ids).toEqual([id]);
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const a = node(clientA);
    a.listen(() => {
      throw new Error('listener failure (expected in this test)');
    });
    const seen = new ChangeRecorder(a);
    await a.ready();
    const [first, second] = await expectLogged('error', /^A push bus listener failed: listener failure/, async () => {
      const ids = [await a.publish('u1', { Email: 'e1' }), await a.publish('u1', { Email: 'e2' })];
      await seen.waitForId(ids[1]);
      return ids;
    });
    expect(seen.ids).toEqual([first, second]);
  });

  it('close() ends the read loop at once and closes only its own connections, never the user’s client', async () => {
    const tag = redis.keyPrefix.slice(15, 23);
    const a = node(clientA, {
      blockMs: 10_000,
      readerConnectionName: `reader-${tag}`,
      writerConnectionName: `writer-${tag}`,
    });
    const seen = new ChangeRecorder(a);
    await a.ready();
    await seen.waitForId(await a.publish('u1', { Email: 'e1' }));
    expect(await clientNames(redis.admin)).toEqual(expect.arrayContaining([`reader-${tag}`, `writer-${tag}`]));

    const started = Date.now();
    await a.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(clientA.status).toBe('ready');
    await expect(clientA.ping()).resolves.toBe('PONG');
    const names = await clientNames(redis.admin);
    expect(names).not.toContain(`reader-${tag}`);
    expect(names).not.toContain(`writer-${tag}`);
    await expect(a.publish('u1', { Email: 'e2' })).rejects.toThrow(/closed/);
  });

  it('answers a replay from what its own read loop delivered; what it has not read yet follows live', async () => {
    const readerName = `reader-${redis.keyPrefix.slice(15, 23)}`;
    const a = node(clientA);
    const b = node(clientB, { readerConnectionName: readerName });
    const seen = new ChangeRecorder(b);
    await Promise.all([a.ready(), b.ready()]);
    const clientSaw = await a.publish('u1', { Email: 'e1' });
    const read = await a.publish('u1', { Mailbox: 'm2' });
    await seen.waitForId(read);
    // Knock B's read loop off its connection so that it lags behind what Redis already holds.
    for (const id of await clientIdsNamed(redis.admin, readerName)) await redis.admin.call('CLIENT', 'KILL', 'ID', id);
    const newest = await a.publish('u1', { Email: 'e3' });
    // From memory, at once: up to B's own position (its id), so the registry's live stream, which B
    // feeds, carries everything after it: nothing is lost and nothing arrives twice.
    const replay = b.changesSince(clientSaw, ['u1']);
    expect(replay).toEqual({ id: read, accounts: new Map([['u1', { Mailbox: 'm2' }]]) });
    await seen.waitForId(newest);
    expect(seen.ids.filter((id) => id === newest)).toHaveLength(1);
  });

  it('replays from Redis, after its own read loop caught up, an id older than its memory', async () => {
    const a = node(clientA);
    await a.ready();
    const clientSaw = await a.publish('u1', { Email: 'e1' });
    const newest = await a.publish('u1', { Mailbox: 'm2' });
    // B starts after both entries: its memory begins there, so the replay is read from the stream.
    const b = node(clientB);
    await b.ready();
    const before = await xrangeCalls(redis.admin);
    await expect(Promise.resolve(b.changesSince(clientSaw, ['u1']))).resolves.toEqual({
      id: newest,
      accounts: new Map([['u1', { Mailbox: 'm2' }]]),
    });
    expect((await xrangeCalls(redis.admin)) - before).toBe(1);
  });

  it('answers a replay inside its memory without reading Redis', async () => {
    const a = node(clientA);
    const b = node(clientB);
    const seen = new ChangeRecorder(b);
    await Promise.all([a.ready(), b.ready()]);
    const clientSaw = await a.publish('u1', { Email: 'e1' });
    const newest = await a.publish('u2', { Thread: 't2' });
    await seen.waitForId(newest);
    const before = await xrangeCalls(redis.admin);
    expect(b.changesSince(clientSaw, ['u1', 'u2'])).toEqual({
      id: newest,
      accounts: new Map([['u2', { Thread: 't2' }]]),
    });
    expect((await xrangeCalls(redis.admin)) - before).toBe(0);
  });

  it('names the same stream when the ioredis client has its own keyPrefix', async () => {
    const prefixed = new Redis(REDIS_URL, { keyPrefix: `${redis.keyPrefix}client:` });
    try {
      const a = node(prefixed, { keyPrefix: 'bus:', blockMs: undefined });
      const seen = new ChangeRecorder(a);
      await a.ready();
      const first = await a.publish('u1', { Email: 'e1' });
      const second = await a.publish('u1', { Email: 'e2' });
      await seen.waitForId(second);
      await expect(Promise.resolve(a.changesSince(first, ['u1']))).resolves.toEqual({
        id: second,
        accounts: new Map([['u1', { Email: 'e2' }]]),
      });
      await expect(redis.admin.exists(`${redis.keyPrefix}client:bus:stream`)).resolves.toBe(1);
    } finally {
      await prefixed.quit();
    }
  });
});

async function clientIdsNamed(admin: Redis, name: string): Promise<string[]> {
  return (await connectionsNamed(admin, name)).map((connection) => connection.id);
}

async function clientNames(admin: Redis): Promise<string[]> {
  return (await redisConnections(admin)).map((connection) => connection.name).filter(Boolean);
}

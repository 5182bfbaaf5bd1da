import Redis from 'ioredis';
import type { PublishedChange } from '../bus/push-bus.interface';
import { RedisPushBus } from './redis-push-bus';

// Against the real Redis on loopback, like test/redis: what matters is how two reads of one change log
// (the node's read loop and a connecting client's replay) meet.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Holds back the XREAD replies of every connection duplicated from `client` while `lagging` is set,
 * as a read loop that has fallen behind Redis would see them; `catchUp()` hands them over.
 */
function laggingReads(client: Redis): { lag(): void; catchUp(): void } {
  let lagging = false;
  const held: Array<() => void> = [];
  const duplicate = client.duplicate.bind(client);
  jest.spyOn(client, 'duplicate').mockImplementation((...args: Parameters<Redis['duplicate']>) => {
    const copy = duplicate(...args);
    const call = copy.call.bind(copy) as (...command: string[]) => Promise<unknown>;
    copy.call = ((command: string, ...rest: string[]) =>
      call(command, ...rest).then((reply) =>
        lagging && command === 'XREAD'
          ? new Promise((resolve) => {
              held.push(() => {
                resolve(reply);
              });
            })
          : reply,
      )) as Redis['call'];
    return copy;
  });
  return {
    lag: () => (lagging = true),
    catchUp: () => {
      lagging = false;
      for (const release of held.splice(0)) release();
    },
  };
}

/** The changes a bus delivered, with a wait for one id (on the delivery itself, not on a delay). */
function recorder(bus: RedisPushBus): { ids: string[]; waitFor(id: string): Promise<void> } {
  const ids: string[] = [];
  let waiting: { id: string; resolve: () => void } | undefined;
  bus.listen((change: PublishedChange) => {
    ids.push(change.id);
    if (change.id === waiting?.id) waiting.resolve();
  });
  return {
    ids,
    waitFor: (id) => (ids.includes(id) ? Promise.resolve() : new Promise((resolve) => (waiting = { id, resolve }))),
  };
}

describe('RedisPushBus whose read loop lags behind the change log', () => {
  let writer: Redis;
  let lagged: Redis;
  let keyPrefix: string;
  const buses: RedisPushBus[] = [];

  beforeEach(() => {
    writer = new Redis(REDIS_URL);
    lagged = new Redis(REDIS_URL);
    keyPrefix = `jmap-push-test:lag:${process.pid}:${Date.now()}:`;
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await writer.del(`${keyPrefix}stream`, `${keyPrefix}latest:u1`);
    await Promise.all([writer.quit(), lagged.quit()]);
  });

  /** Node A writes; node B remembers one change and gives up waiting for its loop after 100 ms. */
  async function twoNodes() {
    const a = new RedisPushBus({ client: writer, keyPrefix });
    const reads = laggingReads(lagged);
    const b = new RedisPushBus({ client: lagged, keyPrefix, replayWindow: 1, commandTimeoutMs: 100 });
    buses.push(a, b);
    const seen = recorder(b);
    await Promise.all([a.ready(), b.ready()]);
    const old = await a.publish('u1', { Email: 'e0' });
    await a.publish('u1', { Email: 'e1' });
    const read = await a.publish('u1', { Mailbox: 'm2' });
    await seen.waitFor(read);
    reads.lag();
    const newest = await a.publish('u1', { Email: 'e3' });
    return { a, b, seen, reads, old, read, newest };
  }

  /** Lets the held reads through, then proves the node delivered each change once, in order. */
  async function expectOnceInOrder(nodes: Awaited<ReturnType<typeof twoNodes>>): Promise<void> {
    nodes.reads.catchUp();
    const after = await nodes.a.publish('u1', { Email: 'e4' });
    await nodes.seen.waitFor(after);
    const tail = nodes.seen.ids.slice(nodes.seen.ids.indexOf(nodes.read));
    expect(tail).toEqual([nodes.read, nodes.newest, after]);
  }

  it('delivers what a replay read from Redis before answering it, so no live change can follow it with a lower id', async () => {
    const nodes = await twoNodes();
    // Older than B's memory: read from Redis, which already holds `newest`; B's own loop has not read it.
    const replay = await Promise.resolve(nodes.b.changesSince(nodes.old, ['u1']));
    expect(replay).toEqual({ id: nodes.newest, accounts: new Map([['u1', { Email: 'e3', Mailbox: 'm2' }]]) });
    // The stream that gets this replay is on B's live path from now on: everything up to its id must be behind it.
    expect(nodes.seen.ids).toContain(nodes.newest);
    await expectOnceInOrder(nodes);
  });

  it('does the same for a client that comes from a node ahead of this one (an id this node has not reached)', async () => {
    const nodes = await twoNodes();
    const replay = await Promise.resolve(nodes.b.changesSince(nodes.newest, ['u1']));
    expect(replay).toEqual({ id: nodes.newest, accounts: new Map() });
    expect(nodes.seen.ids).toContain(nodes.newest);
    await expectOnceInOrder(nodes);
  });

  it('does the same for the latest states', async () => {
    const nodes = await twoNodes();
    const latest = await nodes.b.latestStates(['u1']);
    expect(latest).toEqual({ id: nodes.newest, accounts: new Map([['u1', { Email: 'e3', Mailbox: 'm2' }]]) });
    expect(nodes.seen.ids).toContain(nodes.newest);
    await expectOnceInOrder(nodes);
  });
});

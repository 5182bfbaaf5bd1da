import Redis from 'ioredis';
import { createClient } from 'redis';
import { publishStateChange, RedisPushBus, type RedisClient } from '../../libs/jmap-push/src/redis';
import { expectLogged } from '../support/expected-logs';
import { ChangeRecorder } from './support/change-recorder';
import { connectionsNamed } from './support/redis-inspection';
import { RedisServerProcess } from './support/redis-server-process';

jest.setTimeout(30_000);

const KEY_PREFIX = 'jp:';
const READER = 'jp-reader-under-test';

/** A client of each library the bus takes, as its owner opens and closes it. */
const CLIENT_KINDS: Record<string, (url: string) => Promise<{ client: RedisClient; close(): void }>> = {
  ioredis: async (url) => {
    const client = new Redis(url);
    client.on('error', () => undefined); // the test kills connections on purpose
    await client.ping();
    return {
      client,
      close: () => {
        client.disconnect();
      },
    };
  },
  'node-redis': async (url) => {
    const client = createClient({ url });
    client.on('error', () => undefined);
    await client.connect();
    return {
      client,
      close: () => {
        client.destroy();
      },
    };
  },
};

/** Waits until the reader's connection sits in its blocking XREAD (what `CLIENT KILL` must interrupt). */
async function blockedReader(admin: Redis): Promise<string> {
  for (;;) {
    const readers = await connectionsNamed(admin, READER);
    if (readers.length === 1 && readers[0].cmd === 'xread') return readers[0].id;
  }
}

/**
 * The read loop loses its connection in the middle of a blocking XREAD (`CLIENT KILL` on a redis-server
 * of the test's own). node-redis fails the pending XREAD, so the loop itself reads again, from its
 * offset; ioredis re-sends the XREAD it had queued. Either way the changes written while the reader was
 * away must reach this node's streams: RFC 8620 section 7.3 pushes every state change, and a lost one
 * leaves a client with stale state until the next change of that type.
 */
describe.each(Object.keys(CLIENT_KINDS))('the read loop when its connection is killed (%s)', (kind) => {
  let server: RedisServerProcess;
  let admin: Redis;
  const closers: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    server = await RedisServerProcess.start();
    admin = new Redis(server.url);
    await admin.ping();
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    admin.disconnect();
    await server.destroy();
  });

  it('resumes from its offset: what was published while it reconnected arrives, once and in order', async () => {
    const owner = await CLIENT_KINDS[kind](server.url);
    closers.push(() => {
      owner.close();
    });
    const bus = new RedisPushBus({
      client: owner.client,
      keyPrefix: KEY_PREFIX,
      blockMs: 10_000,
      readerConnectionName: READER,
    });
    closers.push(() => bus.close());
    // Another process publishes (a delivery worker): its writes do not depend on this node at all.
    const worker = new Redis(server.url);
    closers.push(() => {
      worker.disconnect();
    });
    const publish = (accountId: string, state: string) =>
      publishStateChange(worker, accountId, { Email: state }, { keyPrefix: KEY_PREFIX });
    const seen = new ChangeRecorder(bus);
    await bus.ready();
    const first = await publish('u1', 'e1');
    await seen.waitForId(first);
    const killed = await blockedReader(admin);

    const missedWhileAway = async (): Promise<string[]> => {
      // Hold the reader off: Redis refuses every new connection until the changes below are written.
      const connected = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))![1]);
      await admin.config('SET', 'maxclients', String(connected - 1));
      await admin.call('CLIENT', 'KILL', 'ID', killed);
      const missed = [await publish('u1', 'e2'), await publish('u2', 'e3')];
      // The premise: the reader really was away while they were written.
      expect(await connectionsNamed(admin, READER)).toEqual([]);
      await admin.config('SET', 'maxclients', '10000');
      await seen.waitForId(missed[1], 10_000);
      return missed;
    };
    // node-redis fails the pending read: the loop's own resume path runs (and says so, once).
    const missed =
      kind === 'node-redis'
        ? await expectLogged('log', /^Reading the change log again from /, () =>
            expectLogged('warn', /^Reading the change log failed .*; retrying from /, missedWhileAway),
          )
        : await missedWhileAway();

    const fence = await publish('u1', 'e4');
    await seen.waitForId(fence);
    expect(seen.ids).toEqual([first, ...missed, fence]);
    const [reader] = await connectionsNamed(admin, READER);
    expect(reader.id).not.toBe(killed);
  });
});

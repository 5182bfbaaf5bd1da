import Redis from 'ioredis';
import { createClient } from 'redis';
import { publishStateChange, RedisPushBus } from '../../libs/jmap-push/src/redis';
import { expectLogged } from '../support/expected-logs';
import { ChangeRecorder } from './support/change-recorder';
import { RedisServerProcess } from './support/redis-server-process';
import { REDIS_URL } from './support/redis-test-keys';
import { useSharedRedis } from './support/shared-redis';

jest.setTimeout(30_000);

/** node-redis (`redis` v5) clients: the same bus, the same stream, side by side with ioredis nodes. */
describe('RedisPushBus with node-redis', () => {
  const redis = useSharedRedis();
  let ioClient: Redis;
  let nodeClient: ReturnType<typeof createClient>;

  beforeAll(async () => {
    ioClient = new Redis(REDIS_URL);
    nodeClient = createClient({ url: REDIS_URL });
    await nodeClient.connect();
  });

  afterAll(async () => {
    await nodeClient.close();
    await ioClient.quit();
  });

  it('an ioredis node and a node-redis node receive each other’s changes in order, once', async () => {
    const a = redis.node(ioClient);
    const b = redis.node(nodeClient);
    const seenA = new ChangeRecorder(a);
    const seenB = new ChangeRecorder(b);
    await Promise.all([a.ready(), b.ready()]);

    const ids = [
      await a.publish('u1', { Email: 'e1' }),
      await b.publish('u1', { Mailbox: 'm2' }),
      await b.publish('u2', { Email: 'x3' }),
      await a.publish('u1', { Email: 'e4' }),
    ];
    await Promise.all([seenA.waitForId(ids[3]), seenB.waitForId(ids[3])]);
    expect(seenA.ids).toEqual(ids);
    expect(seenB.ids).toEqual(ids);
    expect(seenB.changes[1]).toEqual({ id: ids[1], accountId: 'u1', changed: { Mailbox: 'm2' } });

    await expect(Promise.resolve(b.changesSince(ids[0], ['u1']))).resolves.toEqual({
      id: ids[3],
      accounts: new Map([['u1', { Mailbox: 'm2', Email: 'e4' }]]),
    });
    await expect(b.latestStates(['u1', 'u2'])).resolves.toEqual({
      id: ids[3],
      accounts: new Map([
        ['u1', { Email: 'e4', Mailbox: 'm2' }],
        ['u2', { Email: 'x3' }],
      ]),
    });
    const oldest = await b.changesSince('1-0', ['u1']);
    expect(oldest?.accounts.get('u1')).toEqual({ Email: 'e4', Mailbox: 'm2' });
  });

  it('publishStateChange takes a node-redis client too', async () => {
    const a = redis.node(ioClient, { blockMs: undefined });
    const seen = new ChangeRecorder(a);
    await a.ready();
    const id = await publishStateChange(nodeClient, 'u1', { EmailDelivery: 'd1' }, { keyPrefix: redis.keyPrefix });
    await seen.waitForId(id);
    expect(seen.changes).toEqual([{ id, accountId: 'u1', changed: { EmailDelivery: 'd1' } }]);
  });

  it('close() leaves the node-redis client open', async () => {
    const b = new RedisPushBus({ client: nodeClient, keyPrefix: redis.keyPrefix, blockMs: 10_000 });
    new ChangeRecorder(b);
    await b.ready();
    await b.publish('u1', { Email: 'e1' });
    const started = Date.now();
    await b.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(nodeClient.isReady).toBe(true);
    await expect(nodeClient.ping()).resolves.toBe('PONG');
  });

  it('rejects publish while Redis is down and converges after a restart', async () => {
    const server = await RedisServerProcess.start();
    const client = createClient({ url: server.url });
    client.on('error', () => undefined);
    await client.connect();
    const bus = new RedisPushBus({ client: client, keyPrefix: 'jp:', blockMs: 1_000, commandTimeoutMs: 500 });
    try {
      const seen = new ChangeRecorder(bus);
      await bus.ready();
      const p1 = await bus.publish('u1', { Email: 'e1' });
      await seen.waitForId(p1);

      // node-redis fails the pending read when Redis goes: the read loop says so once, and once more when
      // it reads again.
      const p2 = await expectLogged('log', /^Reading the change log again from /, () =>
        expectLogged('warn', /^Reading the change log failed /, async () => {
          await server.kill();
          await expect(bus.publish('u1', { Email: 'lost' })).rejects.toThrow(/Redis/);
          await server.start();

          const worker = createClient({ url: server.url });
          worker.on('error', () => undefined);
          await worker.connect();
          const id = await publishStateChange(worker, 'u1', { Email: 'e2' }, { keyPrefix: 'jp:' });
          await seen.waitForId(id, 10_000);
          await worker.close();
          return id;
        }),
      );
      expect(seen.ids).toEqual([p1, p2]);
      await expect(bus.latestStates(['u1'])).resolves.toEqual({ id: p2, accounts: new Map([['u1', { Email: 'e2' }]]) });
    } finally {
      await bus.close();
      client.destroy();
      await server.destroy();
    }
  });
});

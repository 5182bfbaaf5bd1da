import Redis from 'ioredis';
import { publishStateChange, RedisPushBus } from '../../libs/jmap-push/src/redis';
import { ChangeRecorder } from './support/change-recorder';
import { RedisServerProcess } from './support/redis-server-process';

jest.setTimeout(30_000);

/**
 * Redis going away and coming back, on a redis-server each test starts for itself (so it can be killed
 * and paused), persisting with an fsync'd AOF as a production Redis holding latest states should.
 */
describe('RedisPushBus when Redis goes away', () => {
  let server: RedisServerProcess;
  const closers: Array<() => Promise<unknown>> = [];

  function client(): Redis {
    const redis = new Redis(server.url, { lazyConnect: false });
    redis.on('error', () => undefined); // connection errors are the point of these tests
    closers.push(() => {
      redis.disconnect();
      return Promise.resolve();
    });
    return redis;
  }

  function node(redis: Redis, options: Partial<ConstructorParameters<typeof RedisPushBus>[0]> = {}): RedisPushBus {
    const bus = new RedisPushBus({
      client: redis,
      keyPrefix: 'jp:',
      blockMs: 1_000,
      commandTimeoutMs: 500,
      ...options,
    });
    closers.unshift(() => bus.close());
    return bus;
  }

  beforeEach(async () => {
    server = await RedisServerProcess.start();
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await server.destroy();
  });

  it('rejects publish while Redis is down, keeps listening, and delivers again once it is back', async () => {
    const redis = client();
    const bus = node(redis);
    const seen = new ChangeRecorder(bus);
    await bus.ready();
    const before = await bus.publish('u1', { Email: 'e1' });
    await seen.waitForId(before);

    await server.kill();
    const started = Date.now();
    await expect(bus.publish('u1', { Email: 'lost' })).rejects.toThrow(/Redis/);
    expect(Date.now() - started).toBeLessThan(2_000);

    await server.start();
    const after = await retryUntilRedisIsBack(() => bus.publish('u1', { Email: 'e2' }));
    await seen.waitForId(after, 10_000);
    expect(seen.ids).toEqual([before, after]);
    await expect(bus.latestStates(['u1'])).resolves.toEqual({
      id: after,
      accounts: new Map([['u1', { Email: 'e2' }]]),
    });
  });

  it('after a Redis restart, every node resumes from its offset and converges; no latest state is lost', async () => {
    const a = node(client());
    const b = node(client());
    const seenA = new ChangeRecorder(a);
    const seenB = new ChangeRecorder(b);
    await Promise.all([a.ready(), b.ready()]);
    const p1 = await a.publish('u1', { Email: 'e1', Mailbox: 'm1' });
    await Promise.all([seenA.waitForId(p1), seenB.waitForId(p1)]);

    await server.kill();
    await expect(a.publish('u1', { Email: 'rejected' })).rejects.toThrow();
    await server.start();

    // A worker outside Nest publishes as soon as Redis answers; the nodes' read loops catch up by themselves.
    const worker = client();
    const p2 = await publishStateChange(worker, 'u1', { Email: 'e2' }, { keyPrefix: 'jp:', commandTimeoutMs: 10_000 });
    const p3 = await publishStateChange(worker, 'u2', { Thread: 't3' }, { keyPrefix: 'jp:', commandTimeoutMs: 10_000 });
    await Promise.all([seenA.waitForId(p3, 10_000), seenB.waitForId(p3, 10_000)]);

    expect(seenA.ids).toEqual([p1, p2, p3]);
    expect(seenB.ids).toEqual([p1, p2, p3]);
    await expect(b.latestStates(['u1', 'u2'])).resolves.toEqual({
      id: p3,
      accounts: new Map([
        ['u1', { Email: 'e2', Mailbox: 'm1' }],
        ['u2', { Thread: 't3' }],
      ]),
    });
    // A client that saw p1 before the restart reconnects to the other node: exactly what it missed.
    await expect(Promise.resolve(b.changesSince(p1, ['u1', 'u2']))).resolves.toEqual({
      id: p3,
      accounts: new Map([
        ['u1', { Email: 'e2' }],
        ['u2', { Thread: 't3' }],
      ]),
    });
  });

  it('while Redis is paused (CLIENT PAUSE), reads and writes wait, then everything arrives in order', async () => {
    const admin = client();
    const a = node(client(), { commandTimeoutMs: 5_000 });
    const b = node(client());
    const seenA = new ChangeRecorder(a);
    const seenB = new ChangeRecorder(b);
    await Promise.all([a.ready(), b.ready()]);
    const p1 = await a.publish('u1', { Email: 'e1' });
    await Promise.all([seenA.waitForId(p1), seenB.waitForId(p1)]);

    await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
    const pausedAt = Date.now();
    const [p2, p3] = await Promise.all([a.publish('u1', { Email: 'e2' }), a.publish('u2', { Email: 'x1' })]);
    // The writes were held by the pause, not refused.
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(700);
    await Promise.all([seenA.waitForId(p3), seenB.waitForId(p3)]);
    expect(seenA.ids).toEqual([p1, p2, p3]);
    expect(seenB.ids).toEqual([p1, p2, p3]);
  });

  it('starts listening while Redis is down, and reads from the head once it is up', async () => {
    await server.kill();
    const bus = node(client());
    const seen = new ChangeRecorder(bus);
    let ready = false;
    const whenReady = bus.ready().then(() => (ready = true));
    await expect(bus.publish('u1', { Email: 'refused' })).rejects.toThrow();
    expect(ready).toBe(false);

    await server.start();
    await whenReady;
    const id = await bus.publish('u1', { Email: 'e1' });
    await seen.waitForId(id, 10_000);
    expect(seen.ids).toEqual([id]);
  });
});

/**
 * Publishing right after a restart races the client's reconnection (ioredis backs off up to 2 s). A real
 * caller retries a rejected publish the same way; each attempt waits for the connection (not a sleep).
 */
async function retryUntilRedisIsBack<T>(publish: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await publish();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

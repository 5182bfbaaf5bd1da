import Redis from 'ioredis';
import { RedisPushBus } from '../../libs/jmap-push/src/redis';
import { ChangeRecorder } from './support/change-recorder';
import { xrangeCalls } from './support/redis-inspection';
import { REDIS_URL } from './support/redis-test-keys';
import { useSharedRedis } from './support/shared-redis';

/** A reconnect storm: thousands of clients replaying from the same few ids at once. */
describe('RedisPushBus replays under a reconnect storm', () => {
  const redis = useSharedRedis();
  let client: Redis;
  let bus: RedisPushBus;

  beforeAll(() => {
    client = new Redis(REDIS_URL);
  });
  beforeEach(async () => {
    bus = redis.node(client);
    await bus.ready();
  });
  afterAll(async () => {
    await client.quit();
  });

  it('serves concurrent replays of one id with one read of the stream, each filtered to its own accounts', async () => {
    const seen = new ChangeRecorder(bus);
    const from = await bus.publish('acc-a', { Email: 'e0' });
    await bus.publish('acc-a', { Email: 'e1' });
    const last = await bus.publish('acc-b', { Mailbox: 'm1' });
    await seen.waitForId(last);

    // A node started after these entries has no memory of them: its replays read the stream.
    await bus.close();
    bus = redis.node(client);
    await bus.ready();
    const before = await xrangeCalls(redis.admin);
    const replays = await Promise.all(
      Array.from({ length: 500 }, (_, i) => Promise.resolve(bus.changesSince(from, i % 2 ? ['acc-a'] : ['acc-b']))),
    );
    expect((await xrangeCalls(redis.admin)) - before).toBe(1);
    expect(replays[1]).toEqual({ id: last, accounts: new Map([['acc-a', { Email: 'e1' }]]) });
    expect(replays[0]).toEqual({ id: last, accounts: new Map([['acc-b', { Mailbox: 'm1' }]]) });
    expect(
      replays.every((replay, i) => replay?.accounts.size === 1 && replay.accounts.has(i % 2 ? 'acc-a' : 'acc-b')),
    ).toBe(true);

    // Later, with nothing in flight, a replay reads afresh (no stale cache).
    await Promise.resolve(bus.changesSince(from, ['acc-a']));
    expect((await xrangeCalls(redis.admin)) - before).toBe(2);
  });

  it('answers a client more than 10,000 entries behind with undefined, so it gets the latest states', async () => {
    // A stream longer than the cap, so that it is the cap, not trimming, that turns the replay down.
    await bus.close();
    bus = redis.node(client, { maxLen: 20_000 });
    await bus.ready();
    const seen = new ChangeRecorder(bus);
    const from = await bus.publish('acc-a', { Email: 'e0' });
    let last = from;
    for (let i = 1; i <= 10_001; i++) last = await bus.publish('acc-a', { Email: `e${i}` });
    await seen.waitForId(last);
    expect(await bus.changesSince(from, ['acc-a'])).toBeUndefined();
    expect((await bus.latestStates(['acc-a'])).accounts.get('acc-a')).toEqual({ Email: 'e10001' });
    // Exactly 10,000 behind is still replayed.
    const oneLater = (await redis.admin.xrange(`${redis.keyPrefix}stream`, '-', '+', 'COUNT', 2))[1][0];
    expect((await bus.changesSince(oneLater, ['acc-a']))?.accounts.get('acc-a')).toEqual({ Email: 'e10001' });
  }, 30_000);
});

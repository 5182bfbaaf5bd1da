import Redis from 'ioredis';
import { RedisPushBus, type RedisPushBusOptions } from '../../../libs/jmap-push/src/redis';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from './redis-test-keys';

/** A `describe` block's view of the shared Redis. */
export interface SharedRedis {
  /** A client of the test file's own, for setup and inspection. */
  readonly admin: Redis;
  /** This test's key prefix: no other test (or run) uses it. */
  readonly keyPrefix: string;
  /** A bus (a node) on `client` under this test's prefix, closed after the test. */
  readonly node: (client: RedisPushBusOptions['client'], options?: Partial<RedisPushBusOptions>) => RedisPushBus;
}

/**
 * Sets a `describe` block up on the shared Redis: an admin client, a fresh key prefix per test (so tests
 * can share one Redis), and after each test its buses closed and its keys deleted.
 */
export function useSharedRedis(): SharedRedis {
  let admin: Redis | undefined;
  let keyPrefix: string | undefined;
  const buses: RedisPushBus[] = [];

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    if (admin && keyPrefix) await deleteKeys(admin, keyPrefix);
  });
  afterAll(async () => {
    await admin?.quit();
  });

  const shared: SharedRedis = {
    get admin(): Redis {
      if (!admin) throw new Error('the admin client exists from beforeAll on');
      return admin;
    },
    get keyPrefix(): string {
      if (!keyPrefix) throw new Error('the key prefix exists from beforeEach on');
      return keyPrefix;
    },
    node: (client, options = {}) => {
      const bus = new RedisPushBus({ client, keyPrefix: shared.keyPrefix, blockMs: 1_000, ...options });
      buses.push(bus);
      return bus;
    },
  };
  return shared;
}

import Redis from 'ioredis';
import { createClient } from 'redis';
import { RedisPushSubscriptionStore } from '../../libs/jmap-push/src/redis';
import { describePushSubscriptionStoreContract } from '../../libs/jmap-push/src/web-push/push-subscription-store.contract';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from './support/redis-test-keys';

/** The store contract on real Redis: an ioredis and a node-redis client, plain and hash-tagged prefixes. */
let admin: Redis;

beforeAll(() => {
  admin = new Redis(REDIS_URL);
});
afterAll(async () => {
  await admin.quit();
});

describePushSubscriptionStoreContract('RedisPushSubscriptionStore (ioredis)', async () => {
  const client = new Redis(REDIS_URL);
  await client.ping();
  const keyPrefix = uniqueKeyPrefix();
  const store = new RedisPushSubscriptionStore({ client, keyPrefix });
  return {
    store,
    teardown: async () => {
      await store.close();
      await client.quit();
      await deleteKeys(admin, keyPrefix);
    },
  };
});

describePushSubscriptionStoreContract('RedisPushSubscriptionStore (node-redis, hash-tagged prefix)', async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const base = uniqueKeyPrefix();
  const store = new RedisPushSubscriptionStore({ client, keyPrefix: `${base}{jmap-push}:` });
  return {
    store,
    teardown: async () => {
      await store.close();
      await client.close();
      await deleteKeys(admin, base);
    },
  };
});

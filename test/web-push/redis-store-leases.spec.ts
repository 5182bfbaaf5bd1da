// RedisPushSubscriptionStore's lease fencing: a settle counts only from the claim that holds the push.
import Redis from 'ioredis';
import { storedSubscription, T0, useRedisStores } from '../redis/support/redis-stores';

const LEASE = 30_000;
/** Past which a store forgets the token of a claim it never settled (`LEASE_MEMORY_MS`). */
const LONG_AFTER = 600_001;

describe('RedisPushSubscriptionStore: settles of claims taken over', () => {
  const redis = useRedisStores();
  let client: Redis;
  beforeAll(() => {
    client = redis.clientA;
  });

  it('ignores a settle of a claim the store no longer remembers: another node holds the push now', async () => {
    const nodeA = redis.store(client);
    const nodeB = redis.store(client);
    const subscription = storedSubscription();
    await nodeA.create(subscription, T0);
    await nodeA.claimDue(T0, LEASE, 1);
    // A's worker hangs; its lease runs out and B takes the push over, long after.
    const takenAt = T0 + LEASE + LONG_AFTER;
    expect(await nodeB.claimDue(takenAt, LEASE, 1)).toHaveLength(1);
    // A claims again (nothing is due), which makes it forget the old claim's token; then its worker ends.
    await expect(nodeA.claimDue(takenAt, LEASE, 1)).resolves.toEqual([]);
    await nodeA.settle(subscription.id, { outcome: 'done' }, takenAt + 1);

    // B's claim still holds the push: nothing is due before B's lease ends, and B's retry counts.
    await expect(nodeA.nextDueAt()).resolves.toBe(takenAt + LEASE);
    await nodeB.settle(subscription.id, { outcome: 'retry', at: takenAt + 10 }, takenAt + 2);
    const [again] = await nodeA.claimDue(takenAt + 10, LEASE, 1);
    expect(again.pending.verification).toBe(true);
  });
});

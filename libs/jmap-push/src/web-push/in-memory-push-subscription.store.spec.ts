import { InMemoryPushSubscriptionStore } from './in-memory-push-subscription.store';
import { describePushSubscriptionStoreContract, storedSubscription } from './push-subscription-store.contract';

describePushSubscriptionStoreContract('InMemoryPushSubscriptionStore', () =>
  Promise.resolve({ store: new InMemoryPushSubscriptionStore(), teardown: () => Promise.resolve() }),
);

describe('InMemoryPushSubscriptionStore: its delivery queue under many pending pushes', () => {
  const T0 = 1_000_000;
  const LEASE = 30_000;

  it('hands out thousands of due pushes a few at a time, earliest due first, each once', async () => {
    const store = new InMemoryPushSubscriptionStore();
    // created out of order: the due time, not the creation order, decides
    const order = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3000);
    for (const i of order) await store.create(storedSubscription(`s${i}`), T0 + i);
    const claimed: string[] = [];
    for (let batch = await store.claimDue(T0 + 5000, LEASE, 3); batch.length > 0;) {
      claimed.push(...batch.map((claim) => claim.subscription.id));
      await Promise.all(batch.map((claim) => store.settle(claim.subscription.id, { outcome: 'done' }, T0 + 5000)));
      batch = await store.claimDue(T0 + 5000, LEASE, 3);
    }
    expect(claimed).toEqual(Array.from({ length: 3000 }, (_, i) => `s${i}`));
    expect(await store.nextDueAt()).toBeUndefined();
  });

  it('takes back every expired lease at a claim, even one beyond the limit: a late settle of it is ignored', async () => {
    const store = new InMemoryPushSubscriptionStore();
    await store.create(storedSubscription('a'), T0);
    await store.create(storedSubscription('b'), T0 + 1);
    expect(await store.claimDue(T0 + 1, LEASE, 2)).toHaveLength(2);
    // both leases have run out; there is room for one claim only
    const [first] = await store.claimDue(T0 + 1 + LEASE, LEASE, 1);
    expect(first.subscription.id).toBe('a');
    await store.settle('b', { outcome: 'done' }, T0 + 2 + LEASE);
    const [second] = await store.claimDue(T0 + 2 + LEASE, LEASE, 1);
    expect(second).toMatchObject({ subscription: { id: 'b' }, attempt: 1 });
  });

  it('knows the next due time as the earliest of the pending pushes and the leases', async () => {
    const store = new InMemoryPushSubscriptionStore();
    await store.create(storedSubscription('a'), T0);
    await store.create(storedSubscription('b'), T0 + 50_000);
    expect(await store.nextDueAt()).toBe(T0);
    await store.claimDue(T0, LEASE, 1);
    expect(await store.nextDueAt()).toBe(T0 + LEASE);
    await store.settle('a', { outcome: 'retry', at: T0 + 60_000 }, T0 + 10);
    expect(await store.nextDueAt()).toBe(T0 + 50_000);
    await store.destroy('b');
    expect(await store.nextDueAt()).toBe(T0 + 60_000);
  });
});

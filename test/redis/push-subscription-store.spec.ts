import Redis from 'ioredis';
import type { Redis as RedisType } from 'ioredis';
import { JmapPushConfigError } from '../../libs/jmap-push/src/errors/jmap-push-config.error';
import { JmapPushError } from '../../libs/jmap-push/src/errors/jmap-push.error';
import { RedisPushSubscriptionStore } from '../../libs/jmap-push/src/redis';
import type { DeliveryClaim } from '../../libs/jmap-push/src/web-push/push-subscription';
import { connectionsNamed } from './support/redis-inspection';
import { REDIS_URL } from './support/redis-test-keys';
import { storedSubscription, T0, useRedisStores } from './support/redis-stores';

const LEASE = 30_000;

/** Every key under the prefix with everything it holds, as text: what `destroy` must leave no trace in. */
async function everythingStored(admin: RedisType, prefix: string): Promise<string> {
  const keys = await admin.keys(`${prefix}*`);
  const parts: string[] = [];
  for (const key of keys) {
    const type = await admin.type(key);
    let value: unknown;
    if (type === 'hash') value = await admin.hgetall(key);
    else if (type === 'set') value = await admin.smembers(key);
    else if (type === 'zset') value = await admin.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'stream') value = await admin.xrange(key, '-', '+');
    else value = await admin.get(key);
    parts.push(`${key} ${JSON.stringify(value)}`);
  }
  return parts.join('\n');
}

function idsOf(claims: readonly DeliveryClaim[]): string[] {
  return claims.map((claim) => claim.subscription.id).sort();
}

describe('RedisPushSubscriptionStore: records', () => {
  const redis = useRedisStores();
  let client: Redis;
  beforeAll(() => {
    client = redis.clientA;
  });

  it('stores a subscription as given and reads it back from any node', async () => {
    const a = redis.store(client);
    const b = redis.store(client);
    const one = storedSubscription({ types: ['Email', 'Mailbox'], verified: true });
    const two = storedSubscription({ keys: null, principal: { id: 'alice', accountIds: ['a1'], credentialId: 'c' } });
    await a.create(one, T0);
    await a.create(two, T0);

    await expect(b.get(one.id)).resolves.toEqual(one);
    await expect(b.get(two.id)).resolves.toEqual(two);
    await expect(b.get('unknown')).resolves.toBeUndefined();
  });

  it('keeps only the principal fields it needs, whatever else the object carries', async () => {
    const store = redis.store(client);
    const principal = { id: 'alice', accountIds: ['a1'], displayName: 'Alice', token: 'secret' };
    const subscription = storedSubscription({ principal });
    await store.create(subscription, T0);

    await expect(store.get(subscription.id)).resolves.toEqual({
      ...subscription,
      principal: { id: 'alice', accountIds: ['a1'] },
    });
    expect(await redis.admin.hget(`${redis.keyPrefix}wp:sub:${subscription.id}`, 'principal')).not.toContain('secret');
  });

  it('refuses a second subscription with a taken id, leaving the first as it was', async () => {
    const store = redis.store(client);
    const first = storedSubscription();
    await store.create(first, T0);
    const rejection = store.create({ ...first, url: 'https://push.test/other' }, T0);
    await expect(rejection).rejects.toThrow(JmapPushError);
    await expect(rejection).rejects.toThrow(/exists already/);
    await expect(store.get(first.id)).resolves.toEqual(first);
  });

  it('lists by credential, by account (principal.accountIds) and the credentials with their principal', async () => {
    const store = redis.store(client);
    const alicePhone = storedSubscription({ createdAt: T0 + 1 });
    const aliceLaptop = storedSubscription({ createdAt: T0 + 2 });
    const bob = storedSubscription({
      credentialId: 'cred-bob',
      principal: { id: 'bob', accountIds: ['b1', 'a2'] },
    });
    for (const subscription of [aliceLaptop, bob, alicePhone]) await store.create(subscription, T0);

    await expect(store.listByCredential('cred-alice')).resolves.toEqual([alicePhone, aliceLaptop]);
    await expect(store.listByCredential('cred-bob')).resolves.toEqual([bob]);
    await expect(store.listByCredential('cred-nobody')).resolves.toEqual([]);
    expect((await store.subscribersOf('a2')).map((s) => s.id).sort()).toEqual(
      [alicePhone.id, aliceLaptop.id, bob.id].sort(),
    );
    await expect(store.subscribersOf('b1')).resolves.toEqual([bob]);
    await expect(store.subscribersOf('nobody')).resolves.toEqual([]);
    await expect(store.credentials()).resolves.toEqual([
      { credentialId: 'cred-alice', principal: { id: 'alice', accountIds: ['a1', 'a2'] } },
      { credentialId: 'cred-bob', principal: { id: 'bob', accountIds: ['b1', 'a2'] } },
    ]);
  });

  it('updates fields and returns the subscription as stored now; undefined when it is gone', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await store.create(subscription, T0);

    await expect(store.update(subscription.id, { verified: true, types: ['Email'], expires: T0 + 5 })).resolves.toEqual(
      {
        ...subscription,
        verified: true,
        types: ['Email'],
        expires: T0 + 5,
      },
    );
    await expect(store.update(subscription.id, { types: null })).resolves.toMatchObject({
      types: null,
      verified: true,
    });
    await expect(store.update('unknown', { verified: true })).resolves.toBeUndefined();
    expect(await redis.admin.exists(`${redis.keyPrefix}wp:sub:unknown`)).toBe(0);
  });

  it('moves a subscription between account sets when its principal changes, and drops what was pending for accounts it lost', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription({ principal: { id: 'alice', accountIds: ['a1', 'a2'] } });
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 10); // the verification
    await store.settle(subscription.id, { outcome: 'done' }, T0);
    await store.addChanges(
      [
        { subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1' } },
        { subscriptionId: subscription.id, accountId: 'a2', changed: { Email: 'x1' } },
      ],
      T0,
    );

    const principal = { id: 'alice', accountIds: ['a2', 'a3'] };
    await expect(store.update(subscription.id, { principal })).resolves.toEqual({ ...subscription, principal });
    await expect(store.subscribersOf('a1')).resolves.toEqual([]);
    expect((await store.subscribersOf('a3')).map((s) => s.id)).toEqual([subscription.id]);
    expect((await store.subscribersOf('a2')).map((s) => s.id)).toEqual([subscription.id]);
    const [claim] = await store.claimDue(T0, LEASE, 10);
    expect(claim.pending).toEqual({ verification: false, changes: { a2: { Email: 'x1' } } });
  });

  it('takes a subscription out of the queue when the accounts it lost were all it had pending', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription({ principal: { id: 'alice', accountIds: ['a1'] } });
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 10);
    await store.settle(subscription.id, { outcome: 'done' }, T0);
    await store.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1' } }], T0);

    await store.update(subscription.id, { principal: { id: 'alice', accountIds: [] } });
    await expect(store.nextDueAt()).resolves.toBeUndefined();
    await expect(store.claimDue(T0 + LEASE, LEASE, 10)).resolves.toEqual([]);
  });

  it('destroy erases the URL, keys and pending push from Redis, and every index entry (RFC 8620 section 7.2)', async () => {
    const store = redis.store(client);
    const keep = storedSubscription();
    const gone = storedSubscription({ credentialId: 'cred-gone', principal: { id: 'gone', accountIds: ['g1'] } });
    await store.create(keep, T0);
    await store.create(gone, T0);
    await store.addChanges([{ subscriptionId: gone.id, accountId: 'g1', changed: { Email: 'secret-state' } }], T0);

    await expect(store.destroy(gone.id)).resolves.toBe(true);
    const stored = await everythingStored(redis.admin, redis.keyPrefix);
    for (const trace of [
      gone.id,
      gone.url,
      gone.keys!.p256dh,
      gone.keys!.auth,
      gone.verificationCode,
      'secret-state',
    ]) {
      expect(stored).not.toContain(trace);
    }
    expect(stored).not.toContain('cred-gone');
    expect(stored).not.toContain(`${redis.keyPrefix}wp:account:g1`);
    expect(stored).toContain(keep.url);
    await expect(store.get(gone.id)).resolves.toBeUndefined();
    await expect(store.destroy(gone.id)).resolves.toBe(false);
    await expect(store.credentials()).resolves.toEqual([{ credentialId: 'cred-alice', principal: keep.principal }]);
    // Only the surviving subscription is queued.
    expect(idsOf(await store.claimDue(T0, LEASE, 10))).toEqual([keep.id]);
  });

  it('destroyCredential destroys every subscription of the credential and nothing else', async () => {
    const store = redis.store(client);
    const mine = [storedSubscription(), storedSubscription()];
    const other = storedSubscription({ credentialId: 'cred-other' });
    for (const subscription of [...mine, other]) await store.create(subscription, T0);

    expect((await store.destroyCredential('cred-alice')).sort()).toEqual(mine.map((s) => s.id).sort());
    await expect(store.listByCredential('cred-alice')).resolves.toEqual([]);
    await expect(store.get(other.id)).resolves.toEqual(other);
    await expect(store.destroyCredential('cred-alice')).resolves.toEqual([]);
    expect(await redis.admin.smembers(`${redis.keyPrefix}wp:creds`)).toEqual(['cred-other']);
  });

  it('keeps the account sets matching the stored principal when two nodes change it at once', async () => {
    const nodeA = redis.store(client);
    const nodeB = redis.store(redis.clientB);
    const subscription = storedSubscription({ principal: { id: 'alice', accountIds: ['start'] } });
    await nodeA.create(subscription, T0);
    await Promise.all([nodeA.get(subscription.id), nodeB.get(subscription.id)]);
    const accounts = ['start'];
    for (let round = 0; round < 20; round++) {
      const [a, b] = [`a${round}`, `b${round}`];
      accounts.push(a, b);
      // Both read the same principal, then write theirs: the second writer must notice and read again.
      await Promise.all([
        nodeA.update(subscription.id, { principal: { id: 'alice', accountIds: [a, 'shared'] } }),
        nodeB.update(subscription.id, { principal: { id: 'alice', accountIds: [b, 'shared'] } }),
      ]);
    }
    const stored = (await nodeA.get(subscription.id))!;
    for (const accountId of [...accounts, 'shared']) {
      const listed = (await nodeA.subscribersOf(accountId)).length === 1;
      const member = await redis.admin.sismember(`${redis.keyPrefix}wp:account:${accountId}`, subscription.id);
      expect({ accountId, member }).toEqual({
        accountId,
        member: stored.principal.accountIds.includes(accountId) ? 1 : 0,
      });
      expect(listed).toBe(stored.principal.accountIds.includes(accountId));
    }
  });

  it('reads a hash it did not write as absent, rather than handing on half a record', async () => {
    const store = redis.store(client);
    await redis.admin.hset(`${redis.keyPrefix}wp:sub:odd`, 'id', '"odd"', 'url', 'not json');
    await redis.admin.sadd(`${redis.keyPrefix}wp:account:a1`, 'odd');
    await expect(store.get('odd')).resolves.toBeUndefined();
    await expect(store.subscribersOf('a1')).resolves.toEqual([]);
  });

  it('closes only the connection it opened, never the client it was given', async () => {
    const store = redis.store(client, { connectionName: `store-${redis.keyPrefix}` });
    await store.create(storedSubscription(), T0);
    expect(await connectionsNamed(redis.admin, `store-${redis.keyPrefix}`)).toHaveLength(1);

    await store.close();
    await expect(store.get('x')).rejects.toThrow(/closed/);
    const stillOpen = async (): Promise<number> =>
      (await connectionsNamed(redis.admin, `store-${redis.keyPrefix}`)).length;
    for (let i = 0; i < 100 && (await stillOpen()) > 0; i++) await new Promise((wake) => setTimeout(wake, 10));
    expect(await stillOpen()).toBe(0);
    await expect(client.ping()).resolves.toBe('PONG');
  });
});

describe('RedisPushSubscriptionStore: delivery queue', () => {
  const redis = useRedisStores();
  let client: Redis;
  beforeAll(() => {
    client = redis.clientA;
  });

  it('create schedules the PushVerification due at now; claimDue hands it out for a lease', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await expect(store.nextDueAt()).resolves.toBeUndefined();
    await store.create(subscription, T0);
    await expect(store.nextDueAt()).resolves.toBe(T0);

    await expect(store.claimDue(T0 - 1, LEASE, 10)).resolves.toEqual([]);
    await expect(store.claimDue(T0, LEASE, 10)).resolves.toEqual([
      { subscription, pending: { verification: true, changes: {} }, attempt: 0 },
    ]);
    // Claimed: not due again until the lease ends.
    await expect(store.nextDueAt()).resolves.toBe(T0 + LEASE);
    await expect(store.claimDue(T0 + LEASE - 1, LEASE, 10)).resolves.toEqual([]);
  });

  it('addChanges merges latest-wins per account and type; an unknown subscription is not created', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 1);
    await store.settle(subscription.id, { outcome: 'done' }, T0);
    await expect(store.nextDueAt()).resolves.toBeUndefined();

    await store.addChanges(
      [
        { subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1', Mailbox: 'm1' } },
        { subscriptionId: 'unknown', accountId: 'a1', changed: { Email: 'e1' } },
        { subscriptionId: subscription.id, accountId: 'a2', changed: { Email: 'x1' } },
      ],
      T0 + 10,
    );
    await store.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e2' } }], T0 + 20);
    await expect(store.nextDueAt()).resolves.toBe(T0 + 10);
    expect(await redis.admin.exists(`${redis.keyPrefix}wp:sub:unknown`)).toBe(0);

    const [claim] = await store.claimDue(T0 + 20, LEASE, 10);
    expect(claim.pending).toEqual({
      verification: false,
      changes: { a1: { Email: 'e2', Mailbox: 'm1' }, a2: { Email: 'x1' } },
    });
    expect(claim.attempt).toBe(0);
  });

  it('with change ids, keeps the newest state per account and type whatever the order, and drops a repeat', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 1);
    await store.settle(subscription.id, { outcome: 'done' }, T0);
    const change = (changeId: string, Email: string) => ({
      subscriptionId: subscription.id,
      accountId: 'a1',
      changed: { Email },
      changeId,
    });

    // Two nodes of the consumer group merge 10-0 and 9-5 in the wrong order.
    await store.addChanges([change('10-0', 'newer')], T0);
    await store.addChanges([change('9-5', 'older')], T0);
    const [first] = await store.claimDue(T0, LEASE, 1);
    expect(first.pending.changes).toEqual({ a1: { Email: 'newer' } });
    await store.settle(subscription.id, { outcome: 'done' }, T0);

    // A change handed over again (its node died before acknowledging it) queues nothing new.
    await store.addChanges([change('10-0', 'newer')], T0);
    await expect(store.nextDueAt()).resolves.toBeUndefined();
    await store.addChanges([change('10-1', 'newest')], T0);
    const [second] = await store.claimDue(T0, LEASE, 1);
    expect(second.pending.changes).toEqual({ a1: { Email: 'newest' } });
  });

  it('settle done: clears the claim; what arrived meanwhile is due now', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 1);
    await store.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1' } }], T0 + 5);
    // Arriving while claimed does not move the lease's time.
    await expect(store.nextDueAt()).resolves.toBe(T0 + LEASE);

    await store.settle(subscription.id, { outcome: 'done' }, T0 + 100);
    await expect(store.nextDueAt()).resolves.toBe(T0 + 100);
    await expect(store.claimDue(T0 + 100, LEASE, 1)).resolves.toEqual([
      { subscription, pending: { verification: false, changes: { a1: { Email: 'e1' } } }, attempt: 0 },
    ]);
    await store.settle(subscription.id, { outcome: 'done' }, T0 + 200);
    await expect(store.nextDueAt()).resolves.toBeUndefined();
    expect(await redis.admin.hmget(`${redis.keyPrefix}wp:sub:${subscription.id}`, 'pending', 'inflight')).toEqual([
      null,
      null,
    ]);
  });

  it('settle retry: the claimed push merges back under newer changes, counts an attempt, and is due at `at`', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 1);
    await store.settle(subscription.id, { outcome: 'done' }, T0);
    await store.addChanges(
      [{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1', Mailbox: 'm1' } }],
      T0,
    );
    await store.claimDue(T0, LEASE, 1);
    await store.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e2' } }], T0 + 1);

    await store.settle(subscription.id, { outcome: 'retry', at: T0 + 5_000 }, T0 + 2);
    await expect(store.nextDueAt()).resolves.toBe(T0 + 5_000);
    // Backing off: new changes merge in, the due time stays.
    await store.addChanges([{ subscriptionId: subscription.id, accountId: 'a2', changed: { Email: 'x1' } }], T0 + 3);
    await expect(store.nextDueAt()).resolves.toBe(T0 + 5_000);
    await expect(store.claimDue(T0 + 4_999, LEASE, 1)).resolves.toEqual([]);

    const [claim] = await store.claimDue(T0 + 5_000, LEASE, 1);
    expect(claim.pending).toEqual({
      verification: false,
      changes: { a1: { Email: 'e2', Mailbox: 'm1' }, a2: { Email: 'x1' } },
    });
    expect(claim.attempt).toBe(1);
    await store.settle(subscription.id, { outcome: 'retry', at: T0 + 9_000 }, T0 + 5_001);
    expect((await store.claimDue(T0 + 9_000, LEASE, 1))[0].attempt).toBe(2);
    await store.settle(subscription.id, { outcome: 'done' }, T0 + 9_001);
    await store.addChanges(
      [{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e3' } }],
      T0 + 9_002,
    );
    expect((await store.claimDue(T0 + 9_002, LEASE, 1))[0].attempt).toBe(0);
  });

  it('an expired lease is claimable by another node, with the dead worker’s push merged under newer changes', async () => {
    const nodeA = redis.store(client);
    const nodeB = redis.store(client);
    const subscription = storedSubscription();
    await nodeA.create(subscription, T0);
    await nodeA.claimDue(T0, LEASE, 1);
    await nodeA.settle(subscription.id, { outcome: 'done' }, T0);
    await nodeA.addChanges(
      [{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1', Mailbox: 'm1' } }],
      T0,
    );
    expect(idsOf(await nodeA.claimDue(T0, LEASE, 1))).toEqual([subscription.id]);
    // Node A dies holding it; changes keep coming.
    await nodeB.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e2' } }], T0 + 1);

    await expect(nodeB.claimDue(T0 + LEASE - 1, LEASE, 1)).resolves.toEqual([]);
    const [claim] = await nodeB.claimDue(T0 + LEASE, LEASE, 1);
    expect(claim.pending).toEqual({ verification: false, changes: { a1: { Email: 'e2', Mailbox: 'm1' } } });
    // The lease that ran out counts as a failed attempt.
    expect(claim.attempt).toBe(1);

    // Node A comes back late and settles its old claim: ignored, node B holds the push now.
    await nodeA.settle(subscription.id, { outcome: 'done' }, T0 + LEASE + 1);
    await expect(nodeA.nextDueAt()).resolves.toBe(T0 + 2 * LEASE);
    await nodeB.settle(subscription.id, { outcome: 'retry', at: T0 + LEASE + 10 }, T0 + LEASE + 2);
    const [again] = await nodeA.claimDue(T0 + LEASE + 10, LEASE, 1);
    expect(again.pending.changes).toEqual({ a1: { Email: 'e2', Mailbox: 'm1' } });
    expect(again.attempt).toBe(2);
  });

  it('claims at most `limit`, earliest due first', async () => {
    const store = redis.store(client);
    const subscriptions = [3, 1, 2, 0].map((offset) => storedSubscription({ id: `s${offset}` }));
    for (const [index, subscription] of subscriptions.entries())
      await store.create(subscription, T0 + [3, 1, 2, 0][index]);

    expect(idsOf(await store.claimDue(T0 + 10, LEASE, 2))).toEqual(['s0', 's1']);
    expect(idsOf(await store.claimDue(T0 + 10, LEASE, 5))).toEqual(['s2', 's3']);
    await expect(store.claimDue(T0 + 10, LEASE, 5)).resolves.toEqual([]);
  });

  it('two nodes claiming at once never get the same subscription, and together get every one', async () => {
    const nodeA = redis.store(client);
    const nodeB = redis.store(redis.clientB);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const subscription = storedSubscription({ id: `sub-${i}` });
      ids.push(subscription.id);
      await nodeA.create(subscription, T0);
    }
    // Both connections open before the race, so neither node gets a head start.
    await Promise.all([nodeA.nextDueAt(), nodeB.nextDueAt()]);
    const drain = async (node: typeof nodeA): Promise<string[]> => {
      const got: string[] = [];
      for (;;) {
        const claims = await node.claimDue(T0, LEASE, 7);
        // Up to `limit`: a node that lost every candidate to the other may get none while some are left.
        if (claims.length === 0 && !((await node.nextDueAt())! <= T0)) return got;
        got.push(...claims.map((claim) => claim.subscription.id));
      }
    };
    const [gotA, gotB] = await Promise.all([drain(nodeA), drain(nodeB), drain(nodeA), drain(nodeB)]).then(
      ([a1, b1, a2, b2]) => [
        [...a1, ...a2],
        [...b1, ...b2],
      ],
    );

    const all = [...gotA, ...gotB];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(ids.sort());
    // Both nodes took part (each drain starts at once, 200 subscriptions take many rounds).
    expect(gotA.length).toBeGreaterThan(0);
    expect(gotB.length).toBeGreaterThan(0);
  });

  it('survives a restart: a new store on the prefix sees the pending push, its backoff, due time and attempts', async () => {
    const before = redis.store(client);
    const subscription = storedSubscription();
    await before.create(subscription, T0);
    await before.claimDue(T0, LEASE, 1);
    await before.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1' } }], T0);
    await before.settle(subscription.id, { outcome: 'retry', at: T0 + 60_000 }, T0 + 1);
    await before.close();

    const after = redis.store(client);
    await expect(after.get(subscription.id)).resolves.toEqual(subscription);
    await expect(after.nextDueAt()).resolves.toBe(T0 + 60_000);
    await expect(after.claimDue(T0 + 59_999, LEASE, 1)).resolves.toEqual([]);
    await expect(after.claimDue(T0 + 60_000, LEASE, 1)).resolves.toEqual([
      { subscription, pending: { verification: true, changes: { a1: { Email: 'e1' } } }, attempt: 1 },
    ]);
  });

  it('settle on a destroyed subscription does not bring it back', async () => {
    const store = redis.store(client);
    const subscription = storedSubscription();
    await store.create(subscription, T0);
    await store.claimDue(T0, LEASE, 1);
    await store.destroy(subscription.id);

    await store.settle(subscription.id, { outcome: 'retry', at: T0 + 10 }, T0 + 1);
    await store.addChanges([{ subscriptionId: subscription.id, accountId: 'a1', changed: { Email: 'e1' } }], T0 + 2);
    expect(await redis.admin.keys(`${redis.keyPrefix}*`)).toEqual([]);
    await expect(store.nextDueAt()).resolves.toBeUndefined();
  });

  it('runs every multi-key step under a hash-tagged prefix (the Redis Cluster layout)', async () => {
    const keyPrefix = `${redis.keyPrefix}{wp}:`;
    const store = redis.store(client, { keyPrefix });
    const subscription = storedSubscription();
    await store.create(subscription, T0);
    await store.update(subscription.id, { principal: { id: 'alice', accountIds: ['a9'] } });
    expect(idsOf(await store.claimDue(T0, LEASE, 1))).toEqual([subscription.id]);
    await store.settle(subscription.id, { outcome: 'done' }, T0);
    await expect(store.destroy(subscription.id)).resolves.toBe(true);
    expect(await redis.admin.keys(`${redis.keyPrefix}*`)).toEqual([]);
  });
});

describe('RedisPushSubscriptionStore: options', () => {
  let client: Redis;

  beforeAll(() => {
    client = new Redis(REDIS_URL, { lazyConnect: true });
  });
  afterAll(() => {
    client.disconnect();
  });

  it.each([
    [{ claimIdleMs: 0 }, /claimIdleMs must be a positive integer/],
    [{ readBatchSize: 1.5 }, /readBatchSize must be a positive integer/],
    [{ commandTimeoutMs: -1 }, /commandTimeoutMs must be a positive integer/],
    [{ consumerName: '' }, /consumerName must be a non-empty string/],
    [{ consumerGroup: '' }, /consumerGroup must be a non-empty string/],
  ])('refuses %j at construction', (options, message) => {
    expect(() => new RedisPushSubscriptionStore({ client, ...options })).toThrow(JmapPushConfigError);
    expect(() => new RedisPushSubscriptionStore({ client, ...options })).toThrow(message);
  });

  it('refuses a client that is neither ioredis nor node-redis', () => {
    const notAClient: unknown = { get: () => undefined };
    expect(() => new RedisPushSubscriptionStore({ client: notAClient as Redis })).toThrow(JmapPushConfigError);
  });
});

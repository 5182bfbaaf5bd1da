import type { StoredPushSubscription } from './push-subscription';
import type { PushSubscriptionStore } from './push-subscription-store.interface';

/** A store under test and how to dispose of it (flush its keys, close its clients). */
export interface StoreUnderTest {
  readonly store: PushSubscriptionStore;
  teardown(): Promise<void>;
}

/** A subscription with every field filled in; `overrides` change what a test is about. */
export function storedSubscription(
  id: string,
  overrides: Partial<StoredPushSubscription> = {},
): StoredPushSubscription {
  return {
    id,
    credentialId: 'credential-a',
    principal: { id: 'alice', accountIds: ['account-a'], credentialId: 'credential-a' },
    deviceClientId: `device-${id}`,
    url: `https://push.example/${id}`,
    keys: { p256dh: 'BPublicKeyOfTheDevice', auth: 'AuthSecret' },
    verificationCode: `code-${id}`,
    verified: false,
    expires: 2_000_000_000_000,
    types: null,
    createdAt: 1_000,
    vapidPublicKey: 'BVapidPublicKey',
    ...overrides,
  };
}

const T0 = 1_000_000;
const LEASE = 30_000;

/**
 * The semantics every `PushSubscriptionStore` must have, as one Jest suite: call it from a spec file
 * with a factory that makes an empty store. Each test gets its own store. Times are passed explicitly,
 * so no test waits on the clock.
 */
export function describePushSubscriptionStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`${name}: the PushSubscriptionStore contract`, () => {
    let underTest: StoreUnderTest;
    let store: PushSubscriptionStore;

    beforeEach(async () => {
      underTest = await make();
      store = underTest.store;
    });

    afterEach(async () => {
      await underTest.teardown();
    });

    const ids = (subscriptions: readonly StoredPushSubscription[]): string[] =>
      subscriptions.map((subscription) => subscription.id).sort();

    describe('records', () => {
      it('gives back what was created, and undefined for an unknown id', async () => {
        const subscription = storedSubscription('s1', { types: ['Email', 'Mailbox'] });
        await store.create(subscription, T0);
        expect(await store.get('s1')).toEqual(subscription);
        expect(await store.get('unknown')).toBeUndefined();
      });

      it('keeps `keys: null` and `types: null` as null', async () => {
        await store.create(storedSubscription('s1', { keys: null, types: null }), T0);
        const stored = await store.get('s1');
        expect(stored?.keys).toBeNull();
        expect(stored?.types).toBeNull();
      });

      it('hands out copies: changing what it returned, or what it was given, changes nothing stored', async () => {
        const given = storedSubscription('s1', { types: ['Email'] });
        await store.create(given, T0);
        (given.principal.accountIds as string[]).push('account-x');
        (given.types as string[]).push('Mailbox');
        const first = await store.get('s1');
        (first?.types as string[] | undefined)?.push('Thread');
        expect(await store.get('s1')).toEqual(storedSubscription('s1', { types: ['Email'] }));
        expect(await store.subscribersOf('account-x')).toEqual([]);
      });

      it('lists the subscriptions of one credential only', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2'), T0);
        await store.create(storedSubscription('s3', { credentialId: 'credential-b' }), T0);
        expect(ids(await store.listByCredential('credential-a'))).toEqual(['s1', 's2']);
        expect(ids(await store.listByCredential('credential-b'))).toEqual(['s3']);
        expect(await store.listByCredential('credential-none')).toEqual([]);
      });

      it('updates verified, expires and types, leaves the rest, and resolves with the stored record', async () => {
        await store.create(storedSubscription('s1'), T0);
        const updated = await store.update('s1', { verified: true, expires: 3_000_000_000_000, types: ['Email'] });
        const expected = storedSubscription('s1', { verified: true, expires: 3_000_000_000_000, types: ['Email'] });
        expect(updated).toEqual(expected);
        expect(await store.get('s1')).toEqual(expected);
        expect(await store.update('s1', { types: null })).toEqual({ ...expected, types: null });
      });

      it('treats an undefined member of the changes as unchanged', async () => {
        await store.create(storedSubscription('s1', { types: ['Email'] }), T0);
        await store.update('s1', { expires: undefined, types: undefined, verified: true });
        expect(await store.get('s1')).toEqual(storedSubscription('s1', { types: ['Email'], verified: true }));
      });

      it('resolves an update of an unknown id with undefined, and creates nothing', async () => {
        expect(await store.update('unknown', { verified: true })).toBeUndefined();
        expect(await store.get('unknown')).toBeUndefined();
      });

      it('destroys one subscription: gone from get, its credential, its accounts and the credentials', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2'), T0);
        expect(await store.destroy('s1')).toBe(true);
        expect(await store.destroy('s1')).toBe(false);
        expect(await store.destroy('unknown')).toBe(false);
        expect(await store.get('s1')).toBeUndefined();
        expect(ids(await store.listByCredential('credential-a'))).toEqual(['s2']);
        expect(ids(await store.subscribersOf('account-a'))).toEqual(['s2']);
        await store.destroy('s2');
        expect(await store.credentials()).toEqual([]);
        expect(await store.subscribersOf('account-a')).toEqual([]);
      });

      it('destroys every subscription of a credential and no other, resolving with their ids', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2'), T0);
        await store.create(storedSubscription('s3', { credentialId: 'credential-b' }), T0);
        expect((await store.destroyCredential('credential-a')).sort()).toEqual(['s1', 's2']);
        expect(await store.listByCredential('credential-a')).toEqual([]);
        expect(await store.get('s1')).toBeUndefined();
        expect(ids(await store.subscribersOf('account-a'))).toEqual(['s3']);
        expect(await store.destroyCredential('credential-a')).toEqual([]);
      });
    });

    describe('indexes', () => {
      it('finds the subscribers of an account by principal.accountIds', async () => {
        await store.create(storedSubscription('s1', { principal: { id: 'alice', accountIds: ['a', 'shared'] } }), T0);
        await store.create(
          storedSubscription('s2', {
            credentialId: 'credential-b',
            principal: { id: 'bob', accountIds: ['b', 'shared'] },
          }),
          T0,
        );
        expect(ids(await store.subscribersOf('a'))).toEqual(['s1']);
        expect(ids(await store.subscribersOf('b'))).toEqual(['s2']);
        expect(ids(await store.subscribersOf('shared'))).toEqual(['s1', 's2']);
        expect(await store.subscribersOf('nobody')).toEqual([]);
      });

      it('moves a subscription between accounts when its principal changes (revalidation)', async () => {
        await store.create(storedSubscription('s1', { principal: { id: 'alice', accountIds: ['a', 'shared'] } }), T0);
        const principal = { id: 'alice', accountIds: ['a', 'granted'], credentialId: 'credential-a' };
        expect((await store.update('s1', { principal }))?.principal).toEqual(principal);
        expect(await store.subscribersOf('shared')).toEqual([]);
        expect(ids(await store.subscribersOf('granted'))).toEqual(['s1']);
        expect(ids(await store.subscribersOf('a'))).toEqual(['s1']);
      });

      it('lists each credential once, with the principal stored for it', async () => {
        const alice = { id: 'alice', accountIds: ['a'], credentialId: 'credential-a' };
        const bob = { id: 'bob', accountIds: ['b'] };
        await store.create(storedSubscription('s1', { principal: alice }), T0);
        await store.create(storedSubscription('s2', { principal: alice }), T0);
        await store.create(storedSubscription('s3', { credentialId: 'credential-b', principal: bob }), T0);
        const credentials = [...(await store.credentials())].sort((x, y) =>
          x.credentialId.localeCompare(y.credentialId),
        );
        expect(credentials).toEqual([
          { credentialId: 'credential-a', principal: alice },
          { credentialId: 'credential-b', principal: bob },
        ]);
      });

      it('lists the revalidated principal of a credential after every subscription of it was updated', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2'), T0);
        const principal = { id: 'alice', accountIds: ['account-a', 'account-new'], credentialId: 'credential-a' };
        await store.update('s1', { principal });
        await store.update('s2', { principal });
        expect(await store.credentials()).toEqual([{ credentialId: 'credential-a', principal }]);
      });
    });

    describe('the delivery queue', () => {
      it('schedules the PushVerification of a new subscription, due at the time of creation', async () => {
        await store.create(storedSubscription('s1'), T0);
        expect(await store.nextDueAt()).toBe(T0);
        expect(await store.claimDue(T0 - 1, LEASE, 10)).toEqual([]);
        const claims = await store.claimDue(T0, LEASE, 10);
        expect(claims).toEqual([
          { subscription: storedSubscription('s1'), pending: { verification: true, changes: {} }, attempt: 0 },
        ]);
      });

      it('has nothing due in an empty store', async () => {
        expect(await store.nextDueAt()).toBeUndefined();
        expect(await store.claimDue(T0, LEASE, 10)).toEqual([]);
      });

      it('hands a claimed push to one caller only while the lease lasts', async () => {
        await store.create(storedSubscription('s1'), T0);
        expect(await store.claimDue(T0, LEASE, 10)).toHaveLength(1);
        expect(await store.claimDue(T0, LEASE, 10)).toEqual([]);
        expect(await store.claimDue(T0 + LEASE - 1, LEASE, 10)).toEqual([]);
        // Nothing more of it is due before the lease ends.
        expect(await store.nextDueAt()).toBe(T0 + LEASE);
      });

      it('hands out at most `limit` claims, the earliest due first', async () => {
        await store.create(storedSubscription('late'), T0 + 2);
        await store.create(storedSubscription('early'), T0);
        await store.create(storedSubscription('middle'), T0 + 1);
        expect((await store.claimDue(T0 + 5, LEASE, 2)).map((claim) => claim.subscription.id)).toEqual([
          'early',
          'middle',
        ]);
        expect((await store.claimDue(T0 + 5, LEASE, 2)).map((claim) => claim.subscription.id)).toEqual(['late']);
      });

      it('claims the subscription as it is stored now (e.g. verified since it was created)', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.update('s1', { verified: true });
        const [claim] = await store.claimDue(T0, LEASE, 10);
        expect(claim.subscription.verified).toBe(true);
      });

      it('merges changes into the pending push, the latest state per account and type winning', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.addChanges(
          [
            { subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1', Mailbox: 'm1' } },
            { subscriptionId: 's1', accountId: 'b', changed: { Email: 'x1' } },
          ],
          T0,
        );
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e2' } }], T0 + 1);
        const [claim] = await store.claimDue(T0 + 1, LEASE, 10);
        expect(claim.pending).toEqual({
          verification: true,
          changes: { a: { Email: 'e2', Mailbox: 'm1' }, b: { Email: 'x1' } },
        });
      });

      it('resolves with how many changes merged into a push already pending (the pushesMerged counter)', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s2', { outcome: 'done' }, T0);
        // s1's push is in flight and s2 has none: each change starts a new pending push.
        const first = [
          { subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } },
          { subscriptionId: 's2', accountId: 'a', changed: { Email: 'e1' } },
        ];
        expect(await store.addChanges(first, T0 + 1)).toBe(0);
        const second = [
          { subscriptionId: 's1', accountId: 'a', changed: { Email: 'e2' } },
          { subscriptionId: 's2', accountId: 'b', changed: { Email: 'x1' } },
          { subscriptionId: 'unknown', accountId: 'a', changed: { Email: 'e2' } },
        ];
        expect(await store.addChanges(second, T0 + 2)).toBe(2);
      });

      it('makes a subscription without a pending push due at the time its first change arrives', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s1', { outcome: 'done' }, T0 + 1);
        expect(await store.nextDueAt()).toBeUndefined();
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } }], T0 + 10);
        expect(await store.nextDueAt()).toBe(T0 + 10);
        expect(await store.claimDue(T0 + 9, LEASE, 10)).toEqual([]);
        expect(await store.claimDue(T0 + 10, LEASE, 10)).toEqual([
          {
            subscription: storedSubscription('s1'),
            pending: { verification: false, changes: { a: { Email: 'e1' } } },
            attempt: 0,
          },
        ]);
      });

      it('ignores changes for a subscription it does not have', async () => {
        await store.addChanges([{ subscriptionId: 'unknown', accountId: 'a', changed: { Email: 'e1' } }], T0);
        expect(await store.nextDueAt()).toBeUndefined();
        expect(await store.get('unknown')).toBeUndefined();
      });

      it('does not keep a reference to the changes it was given', async () => {
        await store.create(storedSubscription('s1'), T0);
        const changed: Record<string, string> = { Email: 'e1' };
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed }], T0);
        changed.Email = 'tampered';
        const [claim] = await store.claimDue(T0, LEASE, 10);
        expect(claim.pending.changes).toEqual({ a: { Email: 'e1' } });
      });

      it("settled 'done': the claimed push is gone and nothing is due", async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s1', { outcome: 'done' }, T0 + 1);
        expect(await store.nextDueAt()).toBeUndefined();
        expect(await store.claimDue(T0 + LEASE * 2, LEASE, 10)).toEqual([]);
        expect(await store.get('s1')).toEqual(storedSubscription('s1'));
      });

      it("settled 'done': what arrived while it was in flight waits for it, then is due at once", async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } }], T0 + 1);
        // The newer push is not handed out beside the one in flight: one request per subscription at a time.
        expect(await store.claimDue(T0 + 2, LEASE, 10)).toEqual([]);
        await store.settle('s1', { outcome: 'done' }, T0 + 5);
        expect(await store.nextDueAt()).toBe(T0 + 5);
        expect(await store.claimDue(T0 + 5, LEASE, 10)).toEqual([
          {
            subscription: storedSubscription('s1'),
            pending: { verification: false, changes: { a: { Email: 'e1' } } },
            attempt: 0,
          },
        ]);
      });

      it("settled 'retry': the claimed push is due again at `at`, counted as a failed attempt", async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s1', { outcome: 'retry', at: T0 + 1_000 }, T0 + 1);
        expect(await store.nextDueAt()).toBe(T0 + 1_000);
        expect(await store.claimDue(T0 + 999, LEASE, 10)).toEqual([]);
        expect(await store.claimDue(T0 + 1_000, LEASE, 10)).toEqual([
          { subscription: storedSubscription('s1'), pending: { verification: true, changes: {} }, attempt: 1 },
        ]);
        await store.settle('s1', { outcome: 'retry', at: T0 + 3_000 }, T0 + 1_001);
        const [third] = await store.claimDue(T0 + 3_000, LEASE, 10);
        expect(third.attempt).toBe(2);
        await store.settle('s1', { outcome: 'done' }, T0 + 3_001);
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } }], T0 + 4_000);
        const [fresh] = await store.claimDue(T0 + 4_000, LEASE, 10);
        expect(fresh.attempt).toBe(0);
      });

      it("settled 'retry': the claimed push merges back under newer changes, which win", async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s1', { outcome: 'done' }, T0);
        await store.addChanges(
          [{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1', Mailbox: 'm1' } }],
          T0 + 1,
        );
        const [claim] = await store.claimDue(T0 + 1, LEASE, 10);
        expect(claim.pending.changes).toEqual({ a: { Email: 'e1', Mailbox: 'm1' } });
        await store.addChanges(
          [
            { subscriptionId: 's1', accountId: 'a', changed: { Email: 'e2' } },
            { subscriptionId: 's1', accountId: 'b', changed: { Thread: 't1' } },
          ],
          T0 + 2,
        );
        await store.settle('s1', { outcome: 'retry', at: T0 + 500 }, T0 + 3);
        expect(await store.nextDueAt()).toBe(T0 + 500);
        expect(await store.claimDue(T0 + 499, LEASE, 10)).toEqual([]);
        expect(await store.claimDue(T0 + 500, LEASE, 10)).toEqual([
          {
            subscription: storedSubscription('s1'),
            pending: { verification: false, changes: { a: { Email: 'e2', Mailbox: 'm1' }, b: { Thread: 't1' } } },
            attempt: 1,
          },
        ]);
      });

      it("settled 'retry': an unsent PushVerification stays owed under newer changes", async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } }], T0 + 1);
        await store.settle('s1', { outcome: 'retry', at: T0 + 100 }, T0 + 2);
        const [claim] = await store.claimDue(T0 + 100, LEASE, 10);
        expect(claim.pending).toEqual({ verification: true, changes: { a: { Email: 'e1' } } });
      });

      it('a pending push backing off keeps its due time when more changes arrive', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s1', { outcome: 'retry', at: T0 + 10_000 }, T0 + 1);
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } }], T0 + 2);
        expect(await store.nextDueAt()).toBe(T0 + 10_000);
        expect(await store.claimDue(T0 + 2, LEASE, 10)).toEqual([]);
        const [claim] = await store.claimDue(T0 + 10_000, LEASE, 10);
        expect(claim.pending).toEqual({ verification: true, changes: { a: { Email: 'e1' } } });
      });

      it('an expired lease makes the held push due again, merged under newer changes (a worker died)', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.claimDue(T0, LEASE, 10);
        await store.settle('s1', { outcome: 'done' }, T0);
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1', Mailbox: 'm1' } }], T0);
        expect(await store.claimDue(T0, LEASE, 10)).toHaveLength(1);
        await store.addChanges([{ subscriptionId: 's1', accountId: 'a', changed: { Email: 'e2' } }], T0 + 1);
        expect(await store.claimDue(T0 + LEASE - 1, LEASE, 10)).toEqual([]);
        expect(await store.nextDueAt()).toBe(T0 + LEASE);
        const taken = await store.claimDue(T0 + LEASE, LEASE, 10);
        expect(taken).toEqual([
          {
            subscription: storedSubscription('s1'),
            pending: { verification: false, changes: { a: { Email: 'e2', Mailbox: 'm1' } } },
            attempt: 1,
          },
        ]);
        // The new claim has its own lease.
        expect(await store.claimDue(T0 + LEASE + 1, LEASE, 10)).toEqual([]);
        expect(await store.nextDueAt()).toBe(T0 + 2 * LEASE);
      });

      it('ignores a settle for a subscription that is unknown or holds no claim', async () => {
        await store.settle('unknown', { outcome: 'done' }, T0);
        await store.create(storedSubscription('s1'), T0);
        await store.settle('s1', { outcome: 'retry', at: T0 + 50_000 }, T0);
        await store.settle('s1', { outcome: 'done' }, T0);
        // The verification is still pending, due when it was created.
        expect(await store.nextDueAt()).toBe(T0);
        const [claim] = await store.claimDue(T0, LEASE, 10);
        expect(claim).toEqual({
          subscription: storedSubscription('s1'),
          pending: { verification: true, changes: {} },
          attempt: 0,
        });
      });

      it('destroying erases the pending push; a settle of its claim is then ignored', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2'), T0);
        await store.claimDue(T0, LEASE, 1);
        await store.addChanges(
          [
            { subscriptionId: 's1', accountId: 'a', changed: { Email: 'e1' } },
            { subscriptionId: 's2', accountId: 'a', changed: { Email: 'e1' } },
          ],
          T0,
        );
        await store.destroy('s1');
        await store.destroy('s2');
        await store.settle('s1', { outcome: 'retry', at: T0 + 1 }, T0);
        await store.settle('s2', { outcome: 'retry', at: T0 + 1 }, T0);
        expect(await store.nextDueAt()).toBeUndefined();
        expect(await store.claimDue(T0 + 2 * LEASE, LEASE, 10)).toEqual([]);
        expect(await store.get('s1')).toBeUndefined();
      });

      it('destroying a credential erases the pending pushes of its subscriptions only', async () => {
        await store.create(storedSubscription('s1'), T0);
        await store.create(storedSubscription('s2', { credentialId: 'credential-b' }), T0 + 1);
        await store.destroyCredential('credential-a');
        expect(await store.nextDueAt()).toBe(T0 + 1);
        expect((await store.claimDue(T0 + 1, LEASE, 10)).map((claim) => claim.subscription.id)).toEqual(['s2']);
      });

      it('hands out nothing for a limit of 0', async () => {
        await store.create(storedSubscription('s1'), T0);
        expect(await store.claimDue(T0, LEASE, 0)).toEqual([]);
        expect(await store.claimDue(T0, LEASE, 1)).toHaveLength(1);
      });
    });
  });
}

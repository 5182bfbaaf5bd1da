import { mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import { DueQueue } from './due-queue';
import type {
  DeliveryClaim,
  DeliveryResult,
  PendingChange,
  PendingPush,
  PushSubscriptionChanges,
  StoredPrincipal,
  StoredPushSubscription,
} from './push-subscription';
import type { PushSubscriptionStore } from './push-subscription-store.interface';

/** One subscription and its place in the delivery queue. */
interface Entry {
  subscription: StoredPushSubscription;
  /** What waits to be claimed; newer changes merge here, also while an older push is in flight. */
  pending: PendingPush | undefined;
  /** When `pending` may be claimed, once nothing is in flight. */
  dueAt: number;
  /** Failed attempts of what is pending or in flight (the claim's `attempt`). */
  attempt: number;
  /** The push a worker holds until it settles or `leaseUntil` passes. */
  inFlight: { readonly pending: PendingPush; readonly leaseUntil: number } | undefined;
}

/**
 * The default store: one process, nothing survives a restart. Subscriptions are copied on the way in
 * and out, so what a caller holds is never the stored record.
 *
 * It bounds nothing itself: `PushSubscription/set` enforces the per-credential limits before it stores.
 */
export class InMemoryPushSubscriptionStore implements PushSubscriptionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly byCredential = new Map<string, Set<string>>();
  private readonly byAccount = new Map<string, Set<string>>();
  /**
   * Ids with a pending push and none in flight, by `dueAt`; and ids with a push in flight, by `leaseUntil`.
   * Claiming takes the earliest without looking at the others: thousands may be pending at once (one
   * change to an account with 10k subscriptions), and each settle makes the worker claim again.
   */
  private readonly due = new DueQueue();
  private readonly leases = new DueQueue();

  create(subscription: StoredPushSubscription, now: number): Promise<void> {
    if (this.entries.has(subscription.id)) {
      return Promise.reject(new Error(`push subscription ${subscription.id} already exists`));
    }
    const stored = copySubscription(subscription);
    this.entries.set(stored.id, {
      subscription: stored,
      pending: { verification: true, changes: {} },
      dueAt: now,
      attempt: 0,
      inFlight: undefined,
    });
    this.due.set(stored.id, now);
    addTo(this.byCredential, stored.credentialId, stored.id);
    for (const accountId of stored.principal.accountIds) addTo(this.byAccount, accountId, stored.id);
    return Promise.resolve();
  }

  get(id: string): Promise<StoredPushSubscription | undefined> {
    const entry = this.entries.get(id);
    return Promise.resolve(entry && copySubscription(entry.subscription));
  }

  listByCredential(credentialId: string): Promise<StoredPushSubscription[]> {
    return Promise.resolve(this.copiesOf(this.byCredential.get(credentialId)));
  }

  update(id: string, changes: PushSubscriptionChanges): Promise<StoredPushSubscription | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve(undefined);
    const before = entry.subscription;
    // An `undefined` member means "not changed", never "erase"; only these four may change.
    const after = copySubscription({
      ...before,
      verified: changes.verified ?? before.verified,
      expires: changes.expires ?? before.expires,
      types: changes.types === undefined ? before.types : changes.types,
      principal: changes.principal ?? before.principal,
    });
    if (changes.principal) {
      for (const accountId of before.principal.accountIds) removeFrom(this.byAccount, accountId, id);
      for (const accountId of after.principal.accountIds) addTo(this.byAccount, accountId, id);
    }
    entry.subscription = after;
    return Promise.resolve(copySubscription(after));
  }

  destroy(id: string): Promise<boolean> {
    return Promise.resolve(this.erase(id));
  }

  destroyCredential(credentialId: string): Promise<string[]> {
    const ids = [...(this.byCredential.get(credentialId) ?? [])];
    for (const id of ids) this.erase(id);
    return Promise.resolve(ids);
  }

  subscribersOf(accountId: string): Promise<StoredPushSubscription[]> {
    return Promise.resolve(this.copiesOf(this.byAccount.get(accountId)));
  }

  credentials(): Promise<Array<{ readonly credentialId: string; readonly principal: StoredPrincipal }>> {
    const found: Array<{ credentialId: string; principal: StoredPrincipal }> = [];
    for (const [credentialId, ids] of this.byCredential) {
      // Revalidation updates every subscription of a credential alike, so any one of them will do.
      for (const id of ids) {
        const entry = this.entries.get(id);
        if (!entry) continue;
        found.push({ credentialId, principal: copyPrincipal(entry.subscription.principal) });
        break;
      }
    }
    return Promise.resolve(found);
  }

  addChanges(changes: readonly PendingChange[], now: number): Promise<number> {
    let merged = 0;
    for (const { subscriptionId, accountId, changed } of changes) {
      const entry = this.entries.get(subscriptionId);
      if (!entry) continue;
      if (entry.pending) {
        entry.pending = mergePending(entry.pending, { verification: false, changes: { [accountId]: changed } });
        merged++;
      } else {
        // A new pending push is due now; one already waiting (maybe backing off) keeps its time.
        entry.pending = { verification: false, changes: { [accountId]: { ...changed } } };
        entry.dueAt = now;
        // One in flight: it is queued again when it settles (or its lease runs out).
        if (!entry.inFlight) {
          entry.attempt = 0;
          this.due.set(subscriptionId, now);
        }
      }
    }
    return Promise.resolve(merged);
  }

  claimDue(now: number, leaseMs: number, limit: number): Promise<DeliveryClaim[]> {
    // Every lease that ran out is taken back, whether or not there is room to claim it now: from then on
    // a late settle of the old claim is ignored.
    for (let id = this.leases.popDue(now); id !== undefined; id = this.leases.popDue(now)) {
      const entry = this.entries.get(id);
      if (entry) this.takeBack(entry);
    }
    const claims: DeliveryClaim[] = [];
    while (claims.length < limit) {
      const id = this.due.popDue(now);
      if (id === undefined) break;
      const entry = this.entries.get(id);
      const pending = entry?.pending;
      if (!entry || !pending) continue;
      entry.inFlight = { pending, leaseUntil: now + leaseMs };
      entry.pending = undefined;
      this.leases.set(id, entry.inFlight.leaseUntil);
      claims.push({ subscription: copySubscription(entry.subscription), pending, attempt: entry.attempt });
    }
    return Promise.resolve(claims);
  }

  settle(subscriptionId: string, result: DeliveryResult, now: number): Promise<void> {
    const entry = this.entries.get(subscriptionId);
    if (!entry?.inFlight) return Promise.resolve();
    this.leases.delete(subscriptionId);
    if (result.outcome === 'done') {
      entry.inFlight = undefined;
      entry.attempt = 0;
      entry.dueAt = now;
    } else {
      entry.pending = mergePending(entry.inFlight.pending, entry.pending);
      entry.inFlight = undefined;
      entry.attempt += 1;
      entry.dueAt = result.at;
    }
    if (entry.pending) this.due.set(subscriptionId, entry.dueAt);
    return Promise.resolve();
  }

  nextDueAt(): Promise<number | undefined> {
    // While a push is in flight, nothing more of that subscription is due before its lease ends.
    const due = this.due.peek()?.at;
    const lease = this.leases.peek()?.at;
    return Promise.resolve(due === undefined || (lease !== undefined && lease < due) ? lease : due);
  }

  /** A lease ran out (its worker died or hung): what it held is due again, under what came since. */
  private takeBack(entry: Entry): void {
    const held = entry.inFlight;
    if (!held) return;
    entry.pending = mergePending(held.pending, entry.pending);
    entry.inFlight = undefined;
    entry.attempt += 1;
    entry.dueAt = held.leaseUntil;
    this.due.set(entry.subscription.id, entry.dueAt);
  }

  private erase(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    // Dropping the only reference is all erasing can mean in a JavaScript heap; nothing else holds it.
    this.entries.delete(id);
    this.due.delete(id);
    this.leases.delete(id);
    removeFrom(this.byCredential, entry.subscription.credentialId, id);
    for (const accountId of entry.subscription.principal.accountIds) removeFrom(this.byAccount, accountId, id);
    return true;
  }

  private copiesOf(ids: ReadonlySet<string> | undefined): StoredPushSubscription[] {
    const found: StoredPushSubscription[] = [];
    for (const id of ids ?? []) {
      const entry = this.entries.get(id);
      if (entry) found.push(copySubscription(entry.subscription));
    }
    return found;
  }
}

/** `newer` over `older`: the verification stays owed if either owes it, the latest state per type wins. */
function mergePending(older: PendingPush, newer: PendingPush | undefined): PendingPush {
  if (!newer) return older;
  const changes: Record<string, TypeState> = { ...older.changes };
  for (const [accountId, states] of Object.entries(newer.changes)) {
    changes[accountId] = { ...mergeTypeStates(changes[accountId], states) };
  }
  return { verification: older.verification || newer.verification, changes };
}

function copyPrincipal(principal: StoredPrincipal): StoredPrincipal {
  const { id, accountIds, credentialId } = principal;
  return credentialId === undefined
    ? { id, accountIds: [...accountIds] }
    : { id, accountIds: [...accountIds], credentialId };
}

function copySubscription(subscription: StoredPushSubscription): StoredPushSubscription {
  return {
    ...subscription,
    principal: copyPrincipal(subscription.principal),
    keys: subscription.keys && { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth },
    types: subscription.types && [...subscription.types],
  };
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids) ids.add(id);
  else index.set(key, new Set([id]));
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) index.delete(key);
}

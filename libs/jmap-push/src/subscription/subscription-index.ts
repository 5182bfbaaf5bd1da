import type { Principal } from '../auth/principal.interface';
import type { Subscription } from './subscription';

/**
 * Where subscriptions are found: every one of this process, by principal (for limits, revalidation and
 * shutdown), by browser session (for sign-out), and, once open, by account (for fan-out). Subscriptions
 * add and remove themselves; nothing here acts on them.
 */
export class SubscriptionIndex {
  readonly all = new Set<Subscription>();
  readonly byAccount = new Map<string, Set<Subscription>>();
  /** With the principal as last vouched for. */
  readonly byPrincipal = new Map<string, { principal: Principal; subscriptions: Set<Subscription> }>();
  readonly bySession = new Map<string, Set<Subscription>>();
  private readonly listening = new Set<Subscription>();

  add(subscription: Subscription): void {
    this.all.add(subscription);
    const group = this.byPrincipal.get(subscription.principal.id);
    if (group) group.subscriptions.add(subscription);
    else
      this.byPrincipal.set(subscription.principal.id, {
        principal: subscription.principal,
        subscriptions: new Set([subscription]),
      });
    if (subscription.session) addTo(this.bySession, subscription.session.id, subscription);
  }

  /** The subscription is open: changes of its accounts reach it from now on. */
  listen(subscription: Subscription): void {
    this.listening.add(subscription);
    for (const accountId of subscription.accountIds) addTo(this.byAccount, accountId, subscription);
  }

  /** Keeps the principal as the directory vouched for it last (the next revalidation asks about it). */
  vouched(principal: Principal): void {
    const group = this.byPrincipal.get(principal.id);
    if (group) group.principal = principal;
  }

  /** The subscription paused: no more changes reach it until it listens again. */
  unlisten(subscription: Subscription): void {
    if (!this.listening.delete(subscription)) return;
    for (const accountId of subscription.accountIds) removeFrom(this.byAccount, accountId, subscription);
  }

  moveAccounts(subscription: Subscription, accountIds: readonly string[]): void {
    if (!this.listening.has(subscription)) return;
    for (const accountId of subscription.accountIds) removeFrom(this.byAccount, accountId, subscription);
    for (const accountId of accountIds) addTo(this.byAccount, accountId, subscription);
  }

  remove(subscription: Subscription): void {
    if (!this.all.delete(subscription)) return;
    this.unlisten(subscription);
    const group = this.byPrincipal.get(subscription.principal.id);
    group?.subscriptions.delete(subscription);
    if (group?.subscriptions.size === 0) this.byPrincipal.delete(subscription.principal.id);
    if (subscription.session) removeFrom(this.bySession, subscription.session.id, subscription);
  }

  ofAccount(accountId: string): ReadonlySet<Subscription> | undefined {
    return this.byAccount.get(accountId);
  }

  /** A copy: ending subscriptions while iterating removes them. */
  ofPrincipal(principalId: string): Subscription[] {
    return [...(this.byPrincipal.get(principalId)?.subscriptions ?? [])];
  }

  ofSession(sessionId: string): Subscription[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  principals(): Principal[] {
    return [...this.byPrincipal.values()].map((group) => group.principal);
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}

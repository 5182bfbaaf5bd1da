import type { Logger } from '@nestjs/common';
import type { PublishedChange } from '../bus/push-bus.interface';
import type { PushMetrics } from '../metrics/push-metrics';
import { filterTypeStates, mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import { describeError } from '../util/describe-error';
import type { PendingChange, StoredPushSubscription } from './push-subscription';
import type { PushSubscriptionStore } from './push-subscription-store.interface';
import { retire, staleReason } from './subscription-retirement';
import type { WebPushSettings } from './web-push-settings';

/** What the intake needs from the delivery worker. */
export interface PushChangeIntakeContext {
  readonly store: PushSubscriptionStore;
  readonly settings: WebPushSettings;
  readonly metrics: PushMetrics;
  readonly logger: Logger;
  /** Called after changes were queued in the store: something may be due now. */
  readonly queued: () => void;
}

/**
 * Turns the bus's changes into pending pushes: each change goes to the store's pending push of every
 * subscription that may carry it (verified, unexpired, under the current VAPID key, of a principal that
 * may read the account), filtered to the subscription's `types`.
 *
 * Changes the bus hands over while the store is busy wait here merged per account (latest state per type
 * wins), so a slow store holds at most one entry per account, and one account's changes reach the store
 * in order: an older state can never overwrite a newer one.
 */
export class PushChangeIntake {
  /** Account id to its changes not yet taken, merged, with the newest change's event id. */
  private readonly waiting = new Map<string, PublishedChange>();
  private draining: Promise<void> | undefined;

  constructor(private readonly context: PushChangeIntakeContext) {}

  /** Takes a change the bus delivered (synchronously); it reaches the store soon after, in order. */
  offer(change: PublishedChange): void {
    const older = this.waiting.get(change.accountId);
    this.waiting.set(
      change.accountId,
      older ? { ...change, changed: mergeTypeStates(older.changed, change.changed) } : change,
    );
    this.draining ??= this.drain();
  }

  /** Resolves once every offered change reached the store (or failed to). */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Queues one change for its subscribers; rejects when the store fails (the caller decides what then). */
  async take(change: PublishedChange): Promise<void> {
    const { accountId, changed } = change;
    const { store, settings, metrics } = this.context;
    const now = Date.now();
    const changes: PendingChange[] = [];
    // Subscriptions of one account mostly share a `types` filter: filter once per distinct filter.
    const filtered = new Map<string, TypeState | undefined>();
    for (const subscription of await store.subscribersOf(accountId)) {
      const stale = staleReason(subscription, settings, now);
      if (stale) {
        // Found stale: destroyed now rather than at the next sweep (RFC 8620 section 7.2: "MAY automatically destroy").
        void this.retire(subscription, stale);
        continue;
      }
      // RFC 8620 section 7.2: nothing but the PushVerification goes to the URL until it is verified.
      if (!subscription.verified) continue;
      // The store finds subscribers by account; the principal as last revalidated is what counts.
      if (!subscription.principal.accountIds.includes(accountId)) continue;
      const key = subscription.types === null ? '*' : [...subscription.types].sort().join(',');
      if (!filtered.has(key)) {
        filtered.set(key, filterTypeStates(changed, subscription.types && new Set(subscription.types)));
      }
      const kept = filtered.get(key);
      // The event id lets a store fed by several nodes drop a change older than one it merged already.
      if (kept) changes.push({ subscriptionId: subscription.id, accountId, changed: kept, changeId: change.id });
    }
    if (changes.length === 0) return;
    metrics.pushesMerged += await store.addChanges(changes, now);
    this.context.queued();
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.first(); next; next = this.first()) {
        this.waiting.delete(next.accountId);
        try {
          await this.take(next);
        } catch (error) {
          // An in-process bus cannot hand a change over again: it is lost for push subscriptions (the
          // client still syncs the state on its next request). One store failure must not stop the rest.
          this.context.logger.warn(`A change could not be queued for Web Push: ${describeError(error)}`);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  private first(): PublishedChange | undefined {
    const next = this.waiting.values().next();
    return next.done ? undefined : next.value;
  }

  private async retire(subscription: StoredPushSubscription, reason: 'expired' | 'keyRotated'): Promise<void> {
    const { store, metrics, logger } = this.context;
    try {
      await retire(store, metrics, subscription.id, reason);
    } catch (error) {
      logger.warn(`Push subscription ${subscription.id} could not be destroyed: ${describeError(error)}`);
    }
  }
}

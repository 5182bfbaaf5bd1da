import type { PublishedChange } from '../bus/push-bus.interface';
import type {
  DeliveryClaim,
  DeliveryResult,
  PendingChange,
  PushSubscriptionChanges,
  StoredPushSubscription,
} from './push-subscription';

/** DI token of the push subscription store. The interface of the same name says what it must do. */
export const PushSubscriptionStore = Symbol('PushSubscriptionStore');

/** Takes one change from the store's own change feed; the change counts as handled once it resolves. */
export type StoredChangeListener = (change: PublishedChange) => Promise<void>;

/**
 * Where push subscriptions and their delivery state live: in memory by default (one process), in Redis
 * with `jmap-push/redis` (many nodes). Every method may be called from several nodes at once; a store
 * shared by nodes makes `claimDue` hand each pending push to one of them.
 *
 * Destroying erases: the URL and keys of a destroyed subscription are gone from the store, not flagged
 * (RFC 8620 section 7.2: "securely erase the URL and encryption keys ... as soon as possible").
 */
export interface PushSubscriptionStore {
  /** Stores a new subscription and schedules its PushVerification, due at `now`. */
  create(subscription: StoredPushSubscription, now: number): Promise<void>;

  /** One subscription, whoever made it; `undefined` when unknown or destroyed. */
  get(id: string): Promise<StoredPushSubscription | undefined>;

  /** Every subscription of one credential. */
  listByCredential(credentialId: string): Promise<StoredPushSubscription[]>;

  /** Applies `changes`; resolves with the subscription as stored now, `undefined` when it is gone. */
  update(id: string, changes: PushSubscriptionChanges): Promise<StoredPushSubscription | undefined>;

  /** Destroys and erases one subscription with its pending push; false when it was not there. */
  destroy(id: string): Promise<boolean>;

  /** Destroys every subscription of a credential (revoked, signed out); resolves with their ids. */
  destroyCredential(credentialId: string): Promise<string[]>;

  /** The subscriptions whose principal may read this account (by `principal.accountIds`). */
  subscribersOf(accountId: string): Promise<StoredPushSubscription[]>;

  /** Every credential with subscriptions, with the principal stored for it (for revalidation sweeps). */
  credentials(): Promise<
    Array<{ readonly credentialId: string; readonly principal: StoredPushSubscription['principal'] }>
  >;

  /**
   * Merges changes into their subscriptions' pending pushes (latest state per account and type wins).
   * A subscription without a pending push becomes due at `now`; one backing off keeps its due time.
   * Resolves with how many of `changes` merged into a push that was already pending, waiting or
   * backing off (the `pushesMerged` counter).
   */
  addChanges(changes: readonly PendingChange[], now: number): Promise<number>;

  /**
   * Claims up to `limit` pending pushes due at `now` for `leaseMs`: each is handed to this caller only,
   * until it `settle`s or the lease runs out (a worker that died), when it is due again with what it held
   * (merged under newer changes, like a retry, and counted as a failed attempt). While a push of a
   * subscription is claimed, nothing more of that subscription is handed out: newer changes wait for it.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<DeliveryClaim[]>;

  /** Ends a claim (see `DeliveryResult`); ignored when the subscription is gone or holds no claim. */
  settle(subscriptionId: string, result: DeliveryResult, now: number): Promise<void>;

  /** When the next pending push falls due (epoch ms), `undefined` when nothing is pending. */
  nextDueAt(): Promise<number | undefined>;

  /**
   * Optional: the store's own feed of the bus's changes, which hands each change to one node only (a
   * Redis consumer group) and hands it again to another node when the first died before resolving.
   * Without it, each node takes the changes its bus delivers (right for a store each node has alone).
   */
  consumeChanges?(listener: StoredChangeListener): () => Promise<void>;

  /**
   * Optional: resolves once the store keeps every change published from now on for `consumeChanges`
   * (a Redis consumer group exists). The module awaits it during application start-up.
   */
  ready?(): Promise<void>;

  /** Called on application shutdown: stop reading, close what the store opened (never the user's clients). */
  close?(): Promise<void>;
}

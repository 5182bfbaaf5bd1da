import type { Principal } from '../auth/principal.interface';
import type { TypeState } from '../state/type-state';

/** The RFC 8291 keys a client supplies (`keys` of RFC 8620 section 7.2), base64url as sent. */
export interface PushKeys {
  /** The user agent's P-256 ECDH public key, uncompressed (65 octets). */
  readonly p256dh: string;
  /** The 16-octet authentication secret. */
  readonly auth: string;
}

/**
 * A PushSubscription as the server keeps it: the RFC 8620 section 7.2 properties plus who made it.
 * `url` and `keys` are private to the device: never returned, never logged, erased on destroy.
 */
export interface StoredPushSubscription {
  readonly id: string;
  /** The credential that created it (RFC 8620 section 7.2: only it sees the subscription, and it dies with it). */
  readonly credentialId: string;
  /** The principal behind the credential, as last authenticated or revalidated (its `accountIds` are pushed). */
  readonly principal: StoredPrincipal;
  readonly deviceClientId: string;
  readonly url: string;
  readonly keys: PushKeys | null;
  /** The code sent in the PushVerification; compared in constant time. */
  readonly verificationCode: string;
  /** True once the client has set the right `verificationCode`; nothing but the verification is sent before. */
  readonly verified: boolean;
  /** Epoch milliseconds after which nothing more is sent, and the subscription is destroyed. */
  readonly expires: number;
  /** Type names pushed; `null` for all. */
  readonly types: readonly string[] | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** The VAPID public key (base64url) the subscription was created under: after a rotation it no longer matches. */
  readonly vapidPublicKey: string;
}

/** The part of a principal a store keeps (plain data): what `Authenticator.revalidate` and delivery need. */
export type StoredPrincipal = Pick<Principal, 'id' | 'accountIds' | 'credentialId'>;

/** The mutable part of a subscription, as `PushSubscription/set` and revalidation change it. */
export type PushSubscriptionChanges = Partial<
  Pick<StoredPushSubscription, 'verified' | 'expires' | 'types' | 'principal'>
>;

/** What is waiting to be sent to one subscription. */
export interface PendingPush {
  /** The PushVerification is still to be delivered. */
  readonly verification: boolean;
  /** Account id to the latest undelivered state per type: changes merge here, latest wins. */
  readonly changes: Readonly<Record<string, TypeState>>;
}

/** One subscription's pending push, claimed by one delivery worker for a lease. */
export interface DeliveryClaim {
  readonly subscription: StoredPushSubscription;
  readonly pending: PendingPush;
  /** Failed attempts so far for what is pending (0 the first time). */
  readonly attempt: number;
}

/** How a claimed delivery ended, as the worker tells the store. */
export type DeliveryResult =
  /** Sent (2xx) or given up (other 4xx): the claimed push is done; what arrived meanwhile is due now. */
  | { readonly outcome: 'done' }
  /** Not sent (429, 5xx, timeout): the claimed push merges back under newer changes and is due at `at`. */
  | { readonly outcome: 'retry'; readonly at: number };

/** One change for one subscription, already filtered to the subscription's types. */
export interface PendingChange {
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly changed: TypeState;
  /**
   * The bus event id of the change (`PublishedChange.id`), when known. A store fed by several nodes at
   * once (a consumer group hands them changes out of order, and hands a change again after a node died)
   * keeps per account and type the state of the newest id, and drops a change it already merged.
   */
  readonly changeId?: string;
}

import type { PushSubscriptionStore } from './push-subscription-store.interface';

/** RFC 8030 section 5.3 urgency of a push message. */
export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

/** One address a host name resolves to, as `dns.lookup(name, { all: true })` gives it. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a push service's host name at connect time; every address is checked before any is used. */
export type PushHostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The application server's VAPID identity (RFC 8292), e.g. from `web-push generate-vapid-keys`. */
export interface VapidKeys {
  /** Base64url of the uncompressed P-256 public key (65 octets); advertised in the Session (RFC 9749). */
  readonly publicKey: string;
  /** Base64url of the 32-octet P-256 private key. Keep it secret; every node must have the same one. */
  readonly privateKey: string;
  /** The `sub` claim: a `mailto:` or `https:` contact URI for the push service's operators. */
  readonly subject: string;
}

/**
 * PushSubscription and Web Push (RFC 8620 section 7.2; RFC 8030, 8291, 8292, 9749): the module's
 * `webPush` option. Off unless given.
 */
export interface WebPushOptions {
  /** The VAPID keys every push is signed with. */
  readonly vapid: VapidKeys;
  /** Where subscriptions and their delivery state live; default in memory (one process). See `jmap-push/redis`. */
  readonly store?: PushSubscriptionStore;
  /**
   * URL hosts (a name or an IP literal, exactly as in the URL, without port) that may reach private,
   * loopback or otherwise internal addresses: internal relays, tests. Every other host is refused such
   * addresses, whatever it resolves to. Default none.
   */
  readonly allowHosts?: readonly string[];
  /** Resolves push service host names; default `dns.lookup` with `all: true`. Tests inject one. */
  readonly resolver?: PushHostResolver;
  /** CA certificates to trust for push services instead of Node's own (a private relay, tests). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Subscriptions one credential may hold; default 16. */
  readonly maxSubscriptionsPerCredential?: number;
  /** Subscriptions one credential may create per minute; default 10. */
  readonly maxCreationsPerMinute?: number;
  /** Longest `url` accepted, in characters; default 2,048. */
  readonly maxUrlLength?: number;
  /**
   * Longest lifetime of a subscription made with a credential that does not expire itself, in seconds:
   * a later or missing `expires` is clamped to it. Default 7 days; below 48 hours is refused (RFC 8620 section 7.2).
   */
  readonly maxExpiresSeconds?: number;
  /** The `TTL` of every push, in seconds (RFC 8030 section 5.2); default 86,400. */
  readonly ttlSeconds?: number;
  /**
   * `Urgency` by type name (RFC 8030 section 5.3): a StateChange gets the highest of its types'.
   * Default `{ EmailDelivery: 'high' }`; every other type `defaultUrgency`.
   */
  readonly urgency?: Readonly<Record<string, PushUrgency>>;
  /** `Urgency` of types not in `urgency`, and of PushVerification; default `normal`. */
  readonly defaultUrgency?: PushUrgency;
  /**
   * `Content-Type` of encrypted pushes: RFC 8620's `application/json` (the default), or
   * `application/octet-stream` for push services that refuse JSON with `Content-Encoding: aes128gcm`.
   */
  readonly encryptedContentType?: 'application/json' | 'application/octet-stream';
  /** Milliseconds a push request may take before it counts as failed and is retried; default 10,000. */
  readonly requestTimeoutMs?: number;
  /** First retry delay in milliseconds, doubled per failure with jitter; default 1,000. */
  readonly minRetryDelayMs?: number;
  /** Longest retry delay in milliseconds (a `Retry-After` beyond it is cut to it); default 3,600,000. */
  readonly maxRetryDelayMs?: number;
  /** Push requests in flight at once from this process; default 64. */
  readonly maxConcurrentPushes?: number;
  /** Milliseconds between looks for due pushes in a store shared by nodes; default 500. */
  readonly pollIntervalMs?: number;
  /** Milliseconds a node holds a claimed push before another may take it over; default 30,000. */
  readonly claimLeaseMs?: number;
}

import { getVapidHeaders } from 'web-push';
import type { VapidKeys } from './web-push-options.interface';

/** How `VapidHeaderCache` keeps its tokens; the defaults suit production, tests shorten time. */
export interface VapidHeaderCacheOptions {
  /** The clock, epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** Push service origins kept at once; default 256 (the least recently used is dropped beyond). */
  readonly maxOrigins?: number;
}

interface CachedHeader {
  readonly authorization: string;
  /** Epoch ms after which a fresh token is signed. */
  readonly renewAt: number;
}

// RFC 8292 section 2: "An "exp" claim MUST NOT be more than 24 hours from the time of the request."
// Half of it leaves room for clock skew between us and the push service, as web-push's own default does.
const TOKEN_LIFETIME_S = 12 * 3_600;
// A token is replaced an hour before it expires, so none reaches a push service about to expire.
const RENEW_BEFORE_EXPIRY_MS = 3_600_000;
const DEFAULT_MAX_ORIGINS = 256;

/**
 * The `Authorization: vapid t=<JWT>, k=<public key>` header of pushes (RFC 8292 section 3), one per push
 * service origin: the JWT's `aud` is the origin of the push resource (section 2), `exp` 12 hours ahead,
 * `sub` the configured contact. Signing is an ECDSA operation per push otherwise, so each origin's header
 * is reused until an hour before it expires; the cache holds a bounded number of origins.
 */
export class VapidHeaderCache {
  private readonly headers = new Map<string, CachedHeader>();
  private readonly now: () => number;
  private readonly maxOrigins: number;

  constructor(
    private readonly vapid: VapidKeys,
    options: VapidHeaderCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxOrigins = options.maxOrigins ?? DEFAULT_MAX_ORIGINS;
  }

  /** The header for a push to a URL of `origin` (`new URL(url).origin`, e.g. `https://push.example.net`). */
  authorization(origin: string): string {
    const now = this.now();
    const cached = this.headers.get(origin);
    // Delete then set: the Map's order is then least recently used first.
    this.headers.delete(origin);
    if (cached !== undefined && now < cached.renewAt) {
      this.headers.set(origin, cached);
      return cached.authorization;
    }
    const fresh = this.sign(origin, now);
    this.headers.set(origin, fresh);
    while (this.headers.size > this.maxOrigins) {
      const oldest = this.headers.keys().next();
      if (oldest.done === true) break;
      this.headers.delete(oldest.value);
    }
    return fresh.authorization;
  }

  private sign(origin: string, now: number): CachedHeader {
    const expiresAt = Math.floor(now / 1_000) + TOKEN_LIFETIME_S;
    const { publicKey, privateKey, subject } = this.vapid;
    const { Authorization } = getVapidHeaders(origin, subject, publicKey, privateKey, 'aes128gcm', expiresAt);
    return { authorization: Authorization, renewAt: expiresAt * 1_000 - RENEW_BEFORE_EXPIRY_MS };
  }
}

import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEquals } from './constant-time-equals';
import { isPrincipal } from './is-principal';
import type { Principal } from './principal.interface';
import type { BrowserSession, SignOut } from './authentication';
import { SessionRevocations } from './session-revocations';

/** What a session cookie carries, signed: who, which accounts, until when, and an id for revocation. */
interface SessionClaims {
  readonly sub: string;
  readonly acc: readonly string[];
  readonly exp: number;
  readonly jti: string;
  /** Mint time in milliseconds (sign-out bounds compare mint times). */
  readonly iat?: number;
}

/** Browsers keep cookies up to about 4 KiB; anything longer was not minted here. */
const MAX_COOKIE_VALUE_LENGTH = 4096;

/**
 * Mints and verifies `<payload>.<HMAC-SHA256>` session values (base64url). Stateless across nodes that
 * share the secret; revocation (sign-out) is remembered by this process until the value would expire.
 */
export class SessionCookieCodec {
  private readonly revocations: SessionRevocations;

  /** @param nowMs the clock, in milliseconds (expiry is in whole seconds, mint times in milliseconds) */
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.revocations = new SessionRevocations(() => this.now());
  }

  mint(principal: Principal): { value: string; maxAge: number } {
    const claims: SessionClaims = {
      sub: principal.id,
      acc: [...principal.accountIds],
      exp: this.now() + this.ttlSeconds,
      jti: randomBytes(16).toString('base64url'),
      iat: this.nowMs(),
    };
    const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return { value: `${payload}.${this.sign(payload)}`, maxAge: this.ttlSeconds };
  }

  /** The principal of a genuine, unexpired, unrevoked value; `undefined` for anything else. */
  verify(value: string): Principal | undefined {
    return this.session(value)?.principal;
  }

  /** The session of a genuine, unexpired, unrevoked value, with its id and expiry. */
  session(value: string): BrowserSession | undefined {
    const claims = this.claims(value);
    if (!claims || claims.exp <= this.now()) return undefined;
    if (this.revocations.isRevoked(claims.sub, claims.jti, this.issuedAt(claims))) return undefined;
    return {
      principal: { id: claims.sub, accountIds: claims.acc },
      id: claims.jti,
      issuedAt: this.issuedAt(claims),
      expiresAt: claims.exp * 1000,
    };
  }

  /**
   * Sign-out: this value is refused from now on, here. Any genuine value counts, an expired or revoked
   * one too (its streams may still be open); anything else is no sign-out.
   */
  revoke(value: string): SignOut | undefined {
    const claims = this.claims(value);
    if (!claims) return undefined;
    const mintedUpTo = this.revocations.revoke(claims.sub, claims.jti, this.issuedAt(claims), claims.exp);
    return { principalId: claims.sub, sessionId: claims.jti, ...(mintedUpTo !== undefined && { mintedUpTo }) };
  }

  /** Milliseconds; cookies minted before `iat` existed say only their expiry, and the TTL is fixed per codec. */
  private issuedAt(claims: SessionClaims): number {
    return claims.iat ?? (claims.exp - this.ttlSeconds) * 1000;
  }

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  private claims(value: string): SessionClaims | undefined {
    if (value.length > MAX_COOKIE_VALUE_LENGTH) return undefined;
    const dot = value.indexOf('.');
    if (dot < 0) return undefined;
    const payload = value.slice(0, dot);
    if (!constantTimeEquals(value.slice(dot + 1), this.sign(payload))) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
      const principal = { id: claims.sub, accountIds: claims.acc };
      return isPrincipal(principal) &&
        Number.isSafeInteger(claims.exp) &&
        typeof claims.jti === 'string' &&
        (claims.iat === undefined || Number.isSafeInteger(claims.iat))
        ? claims
        : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

import type { Principal } from './principal.interface';

/** A browser session cookie, verified: whose it is, its id (for sign-out) and when it expires. */
export interface BrowserSession {
  readonly principal: Principal;
  readonly id: string;
  /** Epoch milliseconds. */
  readonly issuedAt: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** A sign-out as its listeners hear of it: the session, and, when it revoked more, all up to a mint time. */
export interface SignOut {
  readonly principalId: string;
  readonly sessionId: string;
  /** Every session of the principal minted at or before this time (epoch milliseconds) is revoked too. */
  readonly mintedUpTo?: number;
}

/**
 * What `PushAuthGuard` established about a request: the principal, and the browser session when the
 * request came with a cookie instead of an `Authorization` header (a subscription made with it ends when
 * the session expires or signs out).
 */
export interface Authentication {
  readonly principal: Principal;
  readonly session?: Omit<BrowserSession, 'principal'>;
}

import type { Principal } from './principal.interface';

/** A browser session cookie, verified: whose it is, its id (for sign-out) and when it expires. */
export interface BrowserSession {
  readonly principal: Principal;
  readonly id: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
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

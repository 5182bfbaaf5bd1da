import type { Authentication } from '../auth/authentication';
import type { Principal } from '../auth/principal.interface';

/**
 * Who calls `PushSubscription/get` or `/set`: the principal and the credential it proved itself with.
 * RFC 8620 section 7.2 ties a subscription to the credential, so a password and a token of one user see
 * different subscriptions.
 */
export interface PushSubscriptionCaller {
  readonly principal: Principal;
  /** The credential; default the principal's `credentialId`, else its `id`. Never sent to clients. */
  readonly credentialId?: string;
  /**
   * When the credential itself expires (epoch ms), e.g. a session: subscriptions then expire with it
   * instead of being clamped to `maxExpiresSeconds` (RFC 8620 section 7.2).
   */
  readonly credentialExpiresAt?: number;
}

/** The caller a request of a WebSocket (or another module-authenticated request) stands for. */
export function pushSubscriptionCaller(authentication: Authentication): PushSubscriptionCaller {
  const { principal, session } = authentication;
  if (!session) return { principal };
  return { principal, credentialId: browserSessionCredential(session.id), credentialExpiresAt: session.expiresAt };
}

const BROWSER_SESSION_PREFIX = 'browser-session:';

/** The credential id of a browser session: what its sign-out destroys. */
export function browserSessionCredential(sessionId: string): string {
  return `${BROWSER_SESSION_PREFIX}${sessionId}`;
}

/** Whether a credential id is a browser session's (`browserSessionCredential`). */
export function isBrowserSessionCredential(credentialId: string): boolean {
  return credentialId.startsWith(BROWSER_SESSION_PREFIX);
}

/** The credential id subscriptions of this caller are stored under. */
export function credentialIdOf(caller: PushSubscriptionCaller): string {
  return caller.credentialId ?? caller.principal.credentialId ?? caller.principal.id;
}

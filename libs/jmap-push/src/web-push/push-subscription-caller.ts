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

/** The credential id of a browser session: what its sign-out destroys. */
export function browserSessionCredential(sessionId: string): string {
  return `browser-session:${sessionId}`;
}

/** The credential id subscriptions of this caller are stored under. */
export function credentialIdOf(caller: PushSubscriptionCaller): string {
  return caller.credentialId ?? caller.principal.credentialId ?? caller.principal.id;
}

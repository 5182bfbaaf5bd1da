import type { PushSubscriptionCaller } from './push-subscription-caller';

/**
 * The `expires` a subscription gets (epoch ms) for the one the client asked for (`null`: none).
 *
 * RFC 8620 section 7.2: when the credential expires itself (a session), the server "SHOULD NOT set or
 * bound the expiry time ... but MUST expire it when the session expires": the client's time, cut to the
 * credential's. Otherwise the server "SHOULD set an expiry time ... if none is given and limit the
 * expiry time if set too far in the future": the client's time, cut to `now + maxExpiresMs`. Times the
 * server picks are whole seconds, never later than the limit.
 */
export function grantedExpiry(
  requested: number | null,
  now: number,
  maxExpiresMs: number,
  caller: PushSubscriptionCaller,
): number {
  const { credentialExpiresAt } = caller;
  // A host's NaN must not become a subscription that never expires: only a real time bounds it.
  const bound = credentialExpiresAt !== undefined && Number.isFinite(credentialExpiresAt);
  const limit = wholeSecond(bound ? credentialExpiresAt : now + maxExpiresMs);
  return requested === null ? limit : Math.min(requested, limit);
}

function wholeSecond(time: number): number {
  return Math.floor(time / 1_000) * 1_000;
}

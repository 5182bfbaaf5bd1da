import { randomBytes } from 'node:crypto';

/** RFC 8620 section 1.2: 1 to 255 characters of the URL-safe base64 alphabet. */
const JMAP_ID = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * A new PushSubscription id: `P` and 16 random octets in base64url. Random, so ids say nothing about
 * other users' subscriptions; the letter first, as RFC 8620 section 1.2 advises against a leading dash.
 */
export function newPushSubscriptionId(): string {
  return `P${randomBytes(16).toString('base64url')}`;
}

/** Whether `value` has the syntax of a JMAP Id; anything else names no subscription. */
export function isJmapId(value: unknown): value is string {
  return typeof value === 'string' && JMAP_ID.test(value);
}

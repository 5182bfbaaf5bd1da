import type { StoredPushSubscription } from './push-subscription';
import type { PushSubscriptionProperty } from './push-subscription-properties';
import { formatUtcDate } from './utc-date';

/** The properties `PushSubscription/get` may return: all but `url` and `keys` (RFC 8620 section 7.2.1). */
export const READABLE_PROPERTIES = ['id', 'deviceClientId', 'verificationCode', 'expires', 'types'] as const;

export type ReadableProperty = (typeof READABLE_PROPERTIES)[number] & PushSubscriptionProperty;

/**
 * A subscription as `PushSubscription/get` shows it, with the `properties` asked for (`id` always,
 * RFC 8620 section 5.1). `verificationCode` is `null` until the client has set the right one: RFC 8620
 * does not say what `/get` returns, and the server's code here would let a client verify a URL it
 * never received the PushVerification on, which is what verification is there to prevent.
 */
export function renderPushSubscription(
  subscription: StoredPushSubscription,
  properties: ReadonlySet<ReadableProperty>,
): Record<string, unknown> {
  const view: Record<string, unknown> = { id: subscription.id };
  if (properties.has('deviceClientId')) view.deviceClientId = subscription.deviceClientId;
  if (properties.has('verificationCode')) {
    view.verificationCode = subscription.verified ? subscription.verificationCode : null;
  }
  if (properties.has('expires')) view.expires = formatUtcDate(subscription.expires);
  if (properties.has('types')) view.types = subscription.types && [...subscription.types];
  return view;
}

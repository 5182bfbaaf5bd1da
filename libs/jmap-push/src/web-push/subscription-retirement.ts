import type { PushMetrics, PushSubscriptionDestroyReason } from '../metrics/push-metrics';
import type { StoredPushSubscription } from './push-subscription';
import type { PushSubscriptionStore } from './push-subscription-store.interface';
import type { WebPushSettings } from './web-push-settings';

/**
 * Why a stored subscription may no longer be pushed to, whatever is pending for it: it expired (RFC 8620
 * section 7.2: "MUST NOT make further requests to this resource after this time"), or it was made under
 * a VAPID key that is not the configured one, so the push service would refuse every push (RFC 9749
 * section 5: the client re-subscribes with the key the Session now advertises). `undefined` when usable.
 */
export function staleReason(
  subscription: StoredPushSubscription,
  settings: WebPushSettings,
  now: number,
): 'expired' | 'keyRotated' | undefined {
  if (subscription.expires <= now) return 'expired';
  if (subscription.vapidPublicKey !== settings.vapid.publicKey) return 'keyRotated';
  return undefined;
}

/**
 * Destroys (and so erases) a subscription, counting it under `reason` only when this call destroyed it:
 * several nodes, or the sweep and a delivery, may find the same stale subscription at once.
 */
export async function retire(
  store: PushSubscriptionStore,
  metrics: PushMetrics,
  subscriptionId: string,
  reason: PushSubscriptionDestroyReason,
): Promise<void> {
  if (await store.destroy(subscriptionId)) metrics.pushSubscriptionDestroyed(reason);
}

import type { StoredPushSubscription } from './push-subscription';
import type { PushSubscriptionStore } from './push-subscription-store.interface';

/**
 * The live subscriptions of one credential, by id: all `/get` may show and `/set` may touch (RFC 8620
 * section 7.2: "Only subscriptions created by these credentials are returned"). Expired ones are
 * destroyed on the way (section 7.2 lets the server destroy them "at or after this time"), which erases
 * their URL and keys and frees their place in the credential's quota.
 */
export async function ownSubscriptions(
  store: PushSubscriptionStore,
  credentialId: string,
  now: number,
): Promise<Map<string, StoredPushSubscription>> {
  const own = new Map<string, StoredPushSubscription>();
  for (const subscription of await store.listByCredential(credentialId)) {
    // Checked again here: a store that mixed credentials up must not show one user another's subscriptions.
    if (subscription.credentialId !== credentialId) continue;
    if (subscription.expires <= now) await store.destroy(subscription.id);
    else own.set(subscription.id, subscription);
  }
  return own;
}

// TEMPORARY STUB (wt-delivery): replaced by wt-sender's push-payload when it lands.
import type { TypeState } from '../state/type-state';
import type { StoredPushSubscription } from './push-subscription';

export function pushVerificationBody(subscription: StoredPushSubscription): object {
  return {
    '@type': 'PushVerification',
    pushSubscriptionId: subscription.id,
    verificationCode: subscription.verificationCode,
  };
}

export function stateChangeBodies(changes: Readonly<Record<string, TypeState>>): object[] {
  return [{ '@type': 'StateChange', changed: changes }];
}

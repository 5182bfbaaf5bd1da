import { InMemoryPushSubscriptionStore } from './in-memory-push-subscription.store';
import { describePushSubscriptionStoreContract } from './push-subscription-store.contract';

describePushSubscriptionStoreContract('InMemoryPushSubscriptionStore', () =>
  Promise.resolve({ store: new InMemoryPushSubscriptionStore(), teardown: () => Promise.resolve() }),
);

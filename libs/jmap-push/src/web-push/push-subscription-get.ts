import type { PushSubscriptionCaller } from './push-subscription-caller';
import { credentialIdOf } from './push-subscription-caller';
import { invalidArguments, PushSubscriptionMethodError } from './push-subscription-errors';
import { readArguments, readStringList } from './push-subscription-arguments';
import type { PushSubscriptionStore } from './push-subscription-store.interface';
import { PRIVATE_PROPERTIES } from './push-subscription-properties';
import { quoted } from './quoted-names';
import { READABLE_PROPERTIES, renderPushSubscription, type ReadableProperty } from './push-subscription-view';
import { ownSubscriptions } from './own-subscriptions';

const READABLE: ReadonlySet<string> = new Set(READABLE_PROPERTIES);

/**
 * `PushSubscription/get` (RFC 8620 section 7.2.1): the standard `/get` without `accountId` and without
 * `state`, over the caller's credential's subscriptions only. `url` and `keys` are never returned;
 * naming either in `properties` is `forbidden`.
 */
export async function getPushSubscriptions(
  store: PushSubscriptionStore,
  args: unknown,
  caller: PushSubscriptionCaller,
  now: number,
): Promise<Record<string, unknown>> {
  const read = readArguments('PushSubscription/get', args, ['ids', 'properties']);
  const properties = readProperties(read);
  const ids = readStringList(read, 'ids');
  const own = await ownSubscriptions(store, credentialIdOf(caller), now);
  if (ids === null) {
    return {
      list: [...own.values()].map((subscription) => renderPushSubscription(subscription, properties)),
      notFound: [],
    };
  }
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  // RFC 8620 section 5.1: an id asked for twice is answered once.
  for (const id of new Set(ids)) {
    const subscription = own.get(id);
    if (subscription) list.push(renderPushSubscription(subscription, properties));
    else notFound.push(id);
  }
  return { list, notFound };
}

function readProperties(args: Record<string, unknown>): ReadonlySet<ReadableProperty> {
  const asked = readStringList(args, 'properties');
  if (asked === null) return new Set(READABLE_PROPERTIES);
  const hidden = asked.filter((property) => PRIVATE_PROPERTIES.has(property));
  if (hidden.length > 0) {
    throw new PushSubscriptionMethodError(
      'forbidden',
      'url and keys are private to the device and never returned (RFC 8620 section 7.2.1)',
    );
  }
  const unknown = asked.filter((property) => !READABLE.has(property));
  if (unknown.length > 0) {
    throw invalidArguments(`"properties" names what a PushSubscription does not have: ${quoted(unknown)}`);
  }
  return new Set(asked as ReadableProperty[]);
}

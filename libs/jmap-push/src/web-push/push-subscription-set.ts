import type { TypeRegistry } from '../state/type-registry';
import type { DeliverySignal } from './delivery-signal';
import type { CreationRate } from './creation-rate';
import { ownSubscriptions } from './own-subscriptions';
import type { StoredPrincipal, StoredPushSubscription } from './push-subscription';
import { readArguments, readObjectMap, readStringList } from './push-subscription-arguments';
import type { PushSubscriptionCaller } from './push-subscription-caller';
import { credentialIdOf } from './push-subscription-caller';
import { readCreate } from './push-subscription-create';
import { PushSubscriptionMethodError, PushSubscriptionSetError } from './push-subscription-errors';
import { newPushSubscriptionId } from './push-subscription-id';
import type { PropertyRules } from './push-subscription-properties';
import type { PushSubscriptionStore } from './push-subscription-store.interface';
import { readUpdate } from './push-subscription-update';
import { newVerificationCode } from './verification-code';
import type { WebPushSettings } from './web-push-settings';

/** What `PushSubscription/set` works with. */
export interface PushSubscriptionSetDependencies {
  readonly store: PushSubscriptionStore;
  readonly settings: WebPushSettings;
  readonly types: TypeRegistry;
  readonly creations: CreationRate;
  readonly signal: DeliverySignal;
}

type Entries = Array<[string, Record<string, unknown> | null]>;

/**
 * `PushSubscription/set` (RFC 8620 section 7.2.2): the standard `/set` without `accountId`, `ifInState`,
 * `oldState` and `newState`, over the caller's credential's subscriptions only: creates, then updates,
 * then destroys. A bad create, update or destroy is a SetError and the others go on; a bad argument is
 * a `PushSubscriptionMethodError`; anything else thrown (the store failed) is the caller's to answer.
 *
 * Limits (RFC 8620 section 8.6: the server "MUST limit the number of push subscriptions" and "the rate
 * of creation"): a create beyond `maxSubscriptionsPerCredential` is `overQuota`, one beyond
 * `maxCreationsPerMinute` is `rateLimit` (both SetErrors of section 5.3), and a call that asks for more
 * creates than a credential may hold at all is refused whole with `requestTooLarge`, before any key
 * is checked, so no call can make the server check keys without bound.
 */
export async function setPushSubscriptions(
  deps: PushSubscriptionSetDependencies,
  args: unknown,
  caller: PushSubscriptionCaller,
  now: number,
): Promise<Record<string, unknown>> {
  const { store, settings } = deps;
  const read = readArguments('PushSubscription/set', args, ['create', 'update', 'destroy']);
  const create = Object.entries(readObjectMap(read, 'create'));
  const update = Object.entries(readObjectMap(read, 'update'));
  const destroy = new Set(readStringList(read, 'destroy') ?? []);
  if (create.length > settings.maxSubscriptionsPerCredential) {
    throw new PushSubscriptionMethodError(
      'requestTooLarge',
      `at most ${settings.maxSubscriptionsPerCredential} push subscriptions can be created in one call`,
    );
  }
  const credentialId = credentialIdOf(caller);
  const call: SetCall = {
    deps,
    caller,
    credentialId,
    now,
    own: await ownSubscriptions(store, credentialId, now),
    rules: { types: deps.types, maxExpiresMs: settings.maxExpiresMs, maxUrlLength: settings.maxUrlLength, caller, now },
  };
  /** Creation id to the id it got in this call, for `#creationId` in `update` and `destroy`. */
  const createdIds = new Map<string, string>();
  const resolve = (key: string): string | undefined => (key.startsWith('#') ? createdIds.get(key.slice(1)) : key);

  const created: Entries = [];
  const notCreated: Entries = [];
  for (const [creationId, props] of create) {
    try {
      const result = await createOne(call, props);
      createdIds.set(creationId, result.id);
      created.push([creationId, result]);
    } catch (error) {
      notCreated.push([creationId, setErrorOf(error)]);
    }
  }

  const updated: Entries = [];
  const notUpdated: Entries = [];
  for (const [key, patch] of update) {
    const id = resolve(key);
    try {
      updated.push([id ?? key, await updateOne(call, id, patch)]);
    } catch (error) {
      notUpdated.push([id ?? key, setErrorOf(error)]);
    }
  }

  const destroyed: string[] = [];
  const notDestroyed: Entries = [];
  for (const key of destroy) {
    const id = resolve(key);
    if (id !== undefined && call.own.has(id) && (await store.destroy(id))) {
      call.own.delete(id);
      destroyed.push(id);
    } else {
      notDestroyed.push([key, notFound().toJSON()]);
    }
  }

  return {
    created: mapOrNull(created),
    updated: mapOrNull(updated),
    destroyed: destroyed.length > 0 ? destroyed : null,
    notCreated: mapOrNull(notCreated),
    notUpdated: mapOrNull(notUpdated),
    notDestroyed: mapOrNull(notDestroyed),
  };
}

/** One `/set` call in progress. */
interface SetCall {
  readonly deps: PushSubscriptionSetDependencies;
  readonly caller: PushSubscriptionCaller;
  readonly credentialId: string;
  readonly now: number;
  /** The credential's live subscriptions, kept current as the call creates, updates and destroys. */
  readonly own: Map<string, StoredPushSubscription>;
  readonly rules: PropertyRules;
}

/** One create: the limits first (cheap, and no key is checked beyond them), then the properties. */
async function createOne(
  call: SetCall,
  props: Record<string, unknown>,
): Promise<{ id: string } & Record<string, unknown>> {
  const { store, settings, creations, signal } = call.deps;
  const { credentialId, now } = call;
  if (call.own.size >= settings.maxSubscriptionsPerCredential) {
    throw new PushSubscriptionSetError(
      'overQuota',
      `a credential may hold at most ${settings.maxSubscriptionsPerCredential} push subscriptions`,
    );
  }
  if (!creations.allows(credentialId, now)) {
    throw new PushSubscriptionSetError(
      'rateLimit',
      `a credential may create at most ${settings.maxCreationsPerMinute} push subscriptions a minute`,
    );
  }
  const fields = readCreate(props, call.rules);
  const subscription: StoredPushSubscription = {
    id: newPushSubscriptionId(),
    credentialId,
    principal: storedPrincipal(call.caller),
    deviceClientId: fields.deviceClientId,
    url: fields.url,
    keys: fields.keys,
    verificationCode: newVerificationCode(),
    verified: false,
    expires: fields.expires,
    types: fields.types,
    createdAt: now,
    vapidPublicKey: settings.vapid.publicKey,
  };
  await store.create(subscription, now);
  creations.record(credentialId, now);
  call.own.set(subscription.id, subscription);
  // The PushVerification goes out now, not after this answer: RFC 8620 section 7.2.2 has clients
  // expect it "while the request creating the subscription is still in progress".
  signal.notify();
  return { id: subscription.id, ...fields.echo };
}

/** One update of the credential's subscription `id`: what `updated` says for it. */
async function updateOne(
  call: SetCall,
  id: string | undefined,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  const current = id === undefined ? undefined : call.own.get(id);
  if (!current) throw notFound();
  const { changes, echo } = readUpdate(current, patch, call.rules);
  if (Object.keys(changes).length > 0) {
    const stored = await call.deps.store.update(current.id, changes);
    if (!stored) throw notFound(); // destroyed meanwhile, e.g. by a revocation
    call.own.set(stored.id, stored);
  }
  return echo;
}

/** The principal as stored: a plain copy of what delivery and revalidation need, nothing the host added. */
function storedPrincipal({ principal }: PushSubscriptionCaller): StoredPrincipal {
  const { id, accountIds, credentialId } = principal;
  return credentialId === undefined
    ? { id, accountIds: [...accountIds] }
    : { id, accountIds: [...accountIds], credentialId };
}

function notFound(): PushSubscriptionSetError {
  return new PushSubscriptionSetError('notFound', 'no such push subscription of this credential');
}

function setErrorOf(error: unknown): Record<string, unknown> {
  if (error instanceof PushSubscriptionSetError) return error.toJSON();
  throw error; // the store failed, or a bug: the whole call fails rather than hide it in one entry
}

/** `Object.fromEntries` defines own members, so a key such as `__proto__` stays a plain key. */
function mapOrNull(entries: Entries): Record<string, unknown> | null {
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

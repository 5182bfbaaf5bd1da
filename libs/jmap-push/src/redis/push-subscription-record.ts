import type { TypeState } from '../state/type-state';
import type { PendingPush, PushKeys, StoredPrincipal, StoredPushSubscription } from '../web-push/push-subscription';
import type { RedisReply } from './redis-connection.interface';

/**
 * The hash fields of a subscription's record, in the order HMGET asks for them (and scripts return them).
 * Each holds the JSON of one property, so an update rewrites only what changed.
 */
export const RECORD_FIELDS = [
  'id',
  'credentialId',
  'principal',
  'deviceClientId',
  'url',
  'keys',
  'verificationCode',
  'verified',
  'expires',
  'types',
  'createdAt',
  'vapidPublicKey',
] as const satisfies ReadonlyArray<keyof StoredPushSubscription>;

type RecordField = (typeof RECORD_FIELDS)[number];

/** Hash fields of the delivery state, beside the record's. */
export const DELIVERY_FIELDS = {
  /** JSON `PendingPush` waiting to be claimed (absent when nothing waits). */
  pending: 'pending',
  /** JSON `PendingPush` a worker holds (absent unless claimed). */
  inFlight: 'inflight',
  /** The token of the claim that holds `inflight`: a settle from a claim that was taken over is ignored. */
  lease: 'lease',
  /** Failed attempts so far for what is pending or in flight. */
  attempt: 'attempt',
  /** JSON account id to type to the change-log id of the newest state merged: older ones are dropped. */
  versions: 'versions',
} as const;

/** The principal as stored: only what the store needs, in a fixed key order. */
export function storedPrincipal(principal: StoredPrincipal): StoredPrincipal {
  return {
    id: principal.id,
    accountIds: [...principal.accountIds],
    ...(principal.credentialId === undefined ? {} : { credentialId: principal.credentialId }),
  };
}

/** The HSET field/value list of a record. */
export function encodeRecord(subscription: StoredPushSubscription): string[] {
  const record: Record<RecordField, unknown> = {
    id: subscription.id,
    credentialId: subscription.credentialId,
    principal: storedPrincipal(subscription.principal),
    deviceClientId: subscription.deviceClientId,
    url: subscription.url,
    keys: subscription.keys ? { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth } : null,
    verificationCode: subscription.verificationCode,
    verified: subscription.verified,
    expires: subscription.expires,
    types: subscription.types ? [...subscription.types] : null,
    createdAt: subscription.createdAt,
    vapidPublicKey: subscription.vapidPublicKey,
  };
  return RECORD_FIELDS.flatMap((field) => [field, JSON.stringify(record[field])]);
}

/**
 * The record an HMGET of `RECORD_FIELDS` read, or `undefined` when the hash is gone or does not hold a
 * record this version wrote (such a hash is treated as absent rather than handed on half-read).
 */
export function decodeRecord(reply: RedisReply): StoredPushSubscription | undefined {
  if (!Array.isArray(reply) || reply.length !== RECORD_FIELDS.length) return undefined;
  const values: Partial<Record<RecordField, unknown>> = {};
  try {
    RECORD_FIELDS.forEach((field, index) => {
      const raw = reply[index];
      values[field] = typeof raw === 'string' ? JSON.parse(raw) : undefined;
    });
  } catch {
    return undefined;
  }
  const { id, credentialId, principal, deviceClientId, url, keys, verificationCode, verified, expires } = values;
  const { types, createdAt, vapidPublicKey } = values;
  if (
    typeof id !== 'string' ||
    typeof credentialId !== 'string' ||
    !isPrincipal(principal) ||
    typeof deviceClientId !== 'string' ||
    typeof url !== 'string' ||
    !(keys === null || isPushKeys(keys)) ||
    typeof verificationCode !== 'string' ||
    typeof verified !== 'boolean' ||
    typeof expires !== 'number' ||
    !(types === null || isStringArray(types)) ||
    typeof createdAt !== 'number' ||
    typeof vapidPublicKey !== 'string'
  ) {
    return undefined;
  }
  return {
    id,
    credentialId,
    principal,
    deviceClientId,
    url,
    keys,
    verificationCode,
    verified,
    expires,
    types,
    createdAt,
    vapidPublicKey,
  };
}

/** A stored principal field, or `undefined` when absent or not one. */
export function decodePrincipal(raw: RedisReply): StoredPrincipal | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return isPrincipal(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A `PendingPush` as a script stored it (Lua's cjson writes an empty object for empty `changes`). */
export function decodePendingPush(raw: RedisReply): PendingPush | undefined {
  if (typeof raw !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const changes: Record<string, TypeState> = {};
  if (isObject(parsed.changes)) {
    for (const [accountId, states] of Object.entries(parsed.changes)) {
      if (isObject(states) && Object.values(states).every((state) => typeof state === 'string')) {
        changes[accountId] = states as TypeState;
      }
    }
  }
  return { verification: parsed.verification === true, changes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isPrincipal(value: unknown): value is StoredPrincipal {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    isStringArray(value.accountIds) &&
    (value.credentialId === undefined || typeof value.credentialId === 'string')
  );
}

function isPushKeys(value: unknown): value is PushKeys {
  return isObject(value) && typeof value.p256dh === 'string' && typeof value.auth === 'string';
}

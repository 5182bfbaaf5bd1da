import type { TypeRegistry } from '../state/type-registry';
import { invalidProperties, PushSubscriptionSetError } from './push-subscription-errors';
import type { PushSubscriptionCaller } from './push-subscription-caller';
import { grantedExpiry } from './push-subscription-expiry';
import { quoted } from './quoted-names';
import { parseUtcDate } from './utc-date';

/** The properties of a PushSubscription (RFC 8620 section 7.2). */
export const PUSH_SUBSCRIPTION_PROPERTIES = [
  'id',
  'deviceClientId',
  'url',
  'keys',
  'verificationCode',
  'expires',
  'types',
] as const;

export type PushSubscriptionProperty = (typeof PUSH_SUBSCRIPTION_PROPERTIES)[number];

/** Private to the device: never returned (RFC 8620 section 7.2.1), asking for them is `forbidden`. */
export const PRIVATE_PROPERTIES: ReadonlySet<string> = new Set(['url', 'keys']);

/** Longest `deviceClientId` kept: a secure hash, as RFC 8620 recommends, is far shorter. */
export const MAX_DEVICE_CLIENT_ID_LENGTH = 255;

/** What the readers of one create or update need to know. */
export interface PropertyRules {
  readonly types: TypeRegistry;
  readonly maxExpiresMs: number;
  readonly maxUrlLength: number;
  readonly caller: PushSubscriptionCaller;
  readonly now: number;
}

/**
 * Collects what is wrong with one create or update, so a single `invalidProperties` SetError names
 * every offending property at once.
 */
export class PropertyProblems {
  private readonly problems = new Map<string, string>();

  add(property: string, reason: string): void {
    if (!this.problems.has(property)) this.problems.set(property, reason);
  }

  /** Throws the `invalidProperties` SetError when anything was added. */
  check(): void {
    if (this.problems.size === 0) return;
    // Every property is named; the description keeps to the first few reasons, whatever the client sent.
    throw invalidProperties([...this.problems.keys()], [...this.problems.values()].slice(0, 5).join('; '));
  }
}

/** `deviceClientId`: a string of 1 to 255 characters; `undefined` (and a problem) otherwise. */
export function readDeviceClientId(value: unknown, problems: PropertyProblems): string | undefined {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_DEVICE_CLIENT_ID_LENGTH) return value;
  problems.add('deviceClientId', `deviceClientId must be a string of 1 to ${MAX_DEVICE_CLIENT_ID_LENGTH} characters`);
  return undefined;
}

/**
 * `types`: `null` for every type, or a list of type names this server pushes (RFC 8620 section 7.2),
 * kept once each. `undefined` (and a problem) otherwise.
 */
export function readTypes(
  value: unknown,
  registry: TypeRegistry,
  problems: PropertyProblems,
): string[] | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    problems.add('types', 'types must be null or an array of type names');
    return undefined;
  }
  const names = value;
  const unknown = names.filter((name) => !registry.has(name));
  if (unknown.length > 0) {
    problems.add('types', `types names types this server does not push: ${quoted(unknown)}`);
    return undefined;
  }
  return [...new Set(names)];
}

/**
 * `expires` as the client asked: a UTCDate in the future, or `null` for the longest the server grants.
 * `undefined` (and a problem) otherwise. A time in the past is refused rather than taken as "now": the
 * client's clock is wrong, and it would get a subscription that never delivers.
 */
export function readExpires(value: unknown, now: number, problems: PropertyProblems): number | null | undefined {
  if (value === null) return null;
  const time = parseUtcDate(value);
  if (time === undefined) {
    problems.add('expires', 'expires must be a UTCDate (YYYY-MM-DDTHH:MM:SSZ) or null');
    return undefined;
  }
  if (time <= now) {
    problems.add('expires', 'expires is in the past');
    return undefined;
  }
  return time;
}

/** The `expires` granted, and whether the server chose it (the client gave none, or a later one). */
export interface ExpiresGrant {
  readonly expires: number;
  readonly chosenByServer: boolean;
}

/** Grants `expires` for what the client asked (see `grantedExpiry`); `forbidden` once the credential expired. */
export function grantExpires(requested: number | null, rules: PropertyRules): ExpiresGrant {
  const expires = grantedExpiry(requested, rules.now, rules.maxExpiresMs, rules.caller);
  if (expires <= rules.now) {
    // Only a credential that has itself expired gets here: nothing can be subscribed with it.
    throw new PushSubscriptionSetError('forbidden', 'the credential of this request has expired');
  }
  return { expires, chosenByServer: expires !== requested };
}

import { invalidArguments } from './push-subscription-errors';
import { quoted } from './quoted-names';

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The arguments of `PushSubscription/get` or `/set`, refused with `invalidArguments` when they are not
 * an object or hold an argument the method does not define (as the standard methods do).
 *
 * `accountId` is the exception, and ignored: RFC 8620 sections 7.2.1 and 7.2.2 define these methods
 * without one (subscriptions belong to the credential, not to an account), yet clients written against
 * the standard `/get` and `/set` send one out of habit, and it changes nothing here.
 */
export function readArguments(method: string, args: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isJsonObject(args)) throw invalidArguments(`${method} takes an object of arguments`);
  const unknown = Object.keys(args).filter((name) => name !== 'accountId' && !allowed.includes(name));
  if (unknown.includes('ifInState')) {
    throw invalidArguments(`${method} takes no ifInState: push subscriptions have no state (RFC 8620 section 7.2)`);
  }
  if (unknown.length > 0) {
    throw invalidArguments(`${method} has no argument ${quoted(unknown)}`);
  }
  return args;
}

/** A `String[]|null` argument; `null` when absent. */
export function readStringList(args: Record<string, unknown>, name: string): string[] | null {
  const value = args[name];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidArguments(`"${name}" must be an array of strings or null`);
  }
  return value;
}

/** A `Id[X]|null` argument whose values must be objects; `{}` when absent. */
export function readObjectMap(args: Record<string, unknown>, name: string): Record<string, Record<string, unknown>> {
  const value = args[name];
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw invalidArguments(`"${name}" must be an object or null`);
  for (const [key, item] of Object.entries(value)) {
    if (!isJsonObject(item)) {
      throw invalidArguments(`"${name}" maps ${JSON.stringify(key.slice(0, 64))} to something not an object`);
    }
  }
  return value as Record<string, Record<string, unknown>>;
}

import { InvalidStateChangeError } from '../errors/invalid-state-change.error';
import type { TypeState } from './type-state';

/** Every type name: for writers that have no `TypeRegistry` (the nodes serve the types they know). */
const ANY_TYPE = (): boolean => true;

/**
 * Checks a change as a publisher hands it over, and copies it in the same pass: each state is read once,
 * so a caller that mutates its object after publishing (or a getter that answers differently the second
 * time) cannot change what travels. Throws an `InvalidStateChangeError` whose message starts with `caller`.
 */
export function validStateChange(
  caller: string,
  accountId: unknown,
  changed: unknown,
  isKnownType: (type: string) => boolean = ANY_TYPE,
): TypeState {
  if (typeof accountId !== 'string' || accountId.length === 0) {
    throw new InvalidStateChangeError(`${caller}: accountId must be a non-empty string`);
  }
  if (!isRecord(changed)) {
    throw new InvalidStateChangeError(`${caller}: changed must be an object of type name to state`);
  }
  const copy: Record<string, string> = {};
  const fault = statesFault(changed, isKnownType, copy);
  if (fault !== undefined) throw new InvalidStateChangeError(`${caller}: ${fault}`);
  return copy;
}

/** Whether a value read back (a stream entry) is a change: a non-empty object of non-empty state strings. */
export function isTypeState(value: unknown): value is TypeState {
  return isRecord(value) && statesFault(value, ANY_TYPE) === undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with the states, or `undefined`; copies each one into `copy` as it is read. */
function statesFault(
  changed: Record<string, unknown>,
  isKnownType: (type: string) => boolean,
  copy?: Record<string, string>,
): string | undefined {
  let types = 0;
  for (const type of Object.keys(changed)) {
    const state = changed[type];
    if (!isKnownType(type)) return `unknown type "${type}"; add it with the "types" option`;
    if (typeof state !== 'string' || state.length === 0) return `the state of "${type}" must be a non-empty string`;
    if (copy) copy[type] = state;
    types++;
  }
  return types === 0 ? 'changed names no type' : undefined;
}

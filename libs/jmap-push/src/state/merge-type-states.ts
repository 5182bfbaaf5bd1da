import type { TypeState } from './type-state';

/**
 * Folds newer states into older ones for one account: JMAP state collapses, only the latest state of
 * each type matters (RFC 8620 section 7.1), so pending changes merge instead of queueing.
 */
export function mergeTypeStates(older: TypeState | undefined, newer: TypeState): TypeState {
  return older ? { ...older, ...newer } : newer;
}

/** Keeps only the requested types; `null` asks for every type. Returns `undefined` when nothing is left. */
export function filterTypeStates(states: TypeState, types: ReadonlySet<string> | null): TypeState | undefined {
  if (types === null) return states;
  let kept: Record<string, string> | undefined;
  for (const type in states) {
    if (types.has(type)) (kept ??= {})[type] = states[type];
  }
  return kept;
}

import { mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import { StateEvent } from './state-event';

/**
 * Changes waiting for a client that is not reading, merged: JMAP state collapses (RFC 8620 section 7.1),
 * so only the latest state per account and type is kept, under the newest change's id.
 */
export class PendingChanges {
  private readonly accounts = new Map<string, TypeState>();
  private id: string | undefined;

  get isEmpty(): boolean {
    return this.accounts.size === 0;
  }

  add(accountId: string, states: TypeState, id: string): void {
    this.accounts.set(accountId, mergeTypeStates(this.accounts.get(accountId), states));
    this.id = id;
  }

  /** Drops the changes of accounts not in `accountIds` (a revoked grant). */
  keepOnly(accountIds: readonly string[]): void {
    const kept = new Set(accountIds);
    for (const accountId of this.accounts.keys()) if (!kept.has(accountId)) this.accounts.delete(accountId);
  }

  /** One event of everything pending, and empties; `undefined` when nothing is. */
  take(): StateEvent | undefined {
    const id = this.id;
    if (this.accounts.size === 0 || id === undefined) return undefined;
    const event = new StateEvent(id, Object.fromEntries(this.accounts));
    this.accounts.clear();
    this.id = undefined;
    return event;
  }
}

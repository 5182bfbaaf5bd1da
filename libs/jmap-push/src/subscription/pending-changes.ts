import { mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import { StateEvent } from './state-event';

/**
 * Changes waiting for a client that is not reading, merged: JMAP state collapses (RFC 8620 section 7.1),
 * so only the latest state per account and type is kept, under the newest change's id. Every
 * subscription has one and most never use it, so it holds nothing until then.
 */
export class PendingChanges {
  private accounts: Map<string, TypeState> | undefined;
  private id: string | undefined;

  /** @param allowed the accounts whose changes may be kept: any other's (a grant revoked meanwhile) is dropped */
  constructor(private allowed: readonly string[]) {}

  get isEmpty(): boolean {
    return this.accounts === undefined || this.accounts.size === 0;
  }

  add(accountId: string, states: TypeState, id: string): void {
    if (!this.allowed.includes(accountId)) return;
    this.accounts ??= new Map();
    this.accounts.set(accountId, mergeTypeStates(this.accounts.get(accountId), states));
    this.id = id;
  }

  /** Every change of `event` that may be kept. */
  addEvent(event: StateEvent): void {
    for (const accountId in event.changed) this.add(accountId, event.changed[accountId], event.id);
  }

  /** From now on only these accounts' changes are kept; those of the others pending are dropped. */
  restrictTo(accountIds: readonly string[]): void {
    this.allowed = accountIds;
    if (!this.accounts) return;
    for (const accountId of this.accounts.keys()) if (!accountIds.includes(accountId)) this.accounts.delete(accountId);
  }

  clear(): void {
    this.accounts = undefined;
    this.id = undefined;
  }

  /** One event of everything pending, and empties; `undefined` when nothing is. */
  take(): StateEvent | undefined {
    const id = this.id;
    const accounts = this.accounts;
    this.clear();
    if (!accounts || accounts.size === 0 || id === undefined) return undefined;
    return new StateEvent(id, Object.fromEntries(accounts));
  }
}

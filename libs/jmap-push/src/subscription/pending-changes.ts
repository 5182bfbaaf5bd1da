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
  /** The accounts whose changes may be kept: a change of any other (a grant revoked meanwhile) is dropped. */
  private allowed: ReadonlySet<string>;

  constructor(accountIds: readonly string[]) {
    this.allowed = new Set(accountIds);
  }

  get isEmpty(): boolean {
    return this.accounts.size === 0;
  }

  add(accountId: string, states: TypeState, id: string): void {
    if (!this.allowed.has(accountId)) return;
    this.accounts.set(accountId, mergeTypeStates(this.accounts.get(accountId), states));
    this.id = id;
  }

  /** From now on only these accounts' changes are kept; those of the others pending are dropped. */
  restrictTo(accountIds: readonly string[]): void {
    this.allowed = new Set(accountIds);
    for (const accountId of this.accounts.keys()) if (!this.allowed.has(accountId)) this.accounts.delete(accountId);
  }

  /** Every change of `event` that may be kept. */
  addEvent(event: StateEvent): void {
    for (const accountId in event.changed) this.add(accountId, event.changed[accountId], event.id);
  }

  clear(): void {
    this.accounts.clear();
    this.id = undefined;
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

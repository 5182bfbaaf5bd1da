import type { TypeState } from '../state/type-state';
import type { MaybePromise } from '../util/maybe-promise';

/** DI token of the bus that carries state changes to every open stream. */
export const PushBus = Symbol('PushBus');

/** One change as the bus delivers it: which account, the new states, and its event id. */
export interface PublishedChange {
  /** The SSE event id of this change; `compareEventIds` orders ids of one bus. */
  readonly id: string;
  /** The account whose states changed. */
  readonly accountId: string;
  /** The new states, by type name, exactly as published. */
  readonly changed: TypeState;
}

/** Changes merged for a set of accounts: the latest state per account and type. */
export interface MergedChanges {
  /** The id of the newest change the merge covers (or the bus head when nothing did). */
  readonly id: string;
  /** Account id to its merged states; accounts without changes are absent. */
  readonly accounts: ReadonlyMap<string, TypeState>;
}

/** Receives every change the bus delivers to this process, in publication order per account. */
export type ChangeListener = (change: PublishedChange) => void;

/**
 * Carries state changes from `StateChangeService.publish()` to the streams of every process.
 *
 * The in-memory bus (the default) serves one process; `jmap-push/redis` serves many. Event ids have
 * the shape of Redis stream ids, `<ms>-<seq>`, and grow with every change, so they can be ordered.
 */
export interface PushBus {
  /**
   * Appends a change and delivers it to every listener (in-process buses in the same event-loop turn).
   * Resolves with the change's event id; rejects when the change could not be recorded.
   */
  publish(accountId: string, changed: TypeState): Promise<string>;

  /** Registers the listener that receives this process's deliveries; returns its removal. */
  listen(listener: ChangeListener): () => void;

  /** The id of the newest change delivered to this process's listeners (a connecting stream's first id). */
  currentId(): string;

  /**
   * The changes after `lastEventId` for these accounts, merged. `undefined` when the id is unknown,
   * malformed, from another bus, or older than the retained history: the caller then sends `latestStates`.
   */
  changesSince(lastEventId: string, accountIds: readonly string[]): MaybePromise<MergedChanges | undefined>;

  /** The latest known state of every type of these accounts. */
  latestStates(accountIds: readonly string[]): MaybePromise<MergedChanges>;

  /**
   * Optional: resolves once `currentId()` is meaningful (a remote bus has learnt where its log ends).
   * The module awaits it during application start-up, before the event source serves anyone.
   */
  ready?(): Promise<void>;

  /** Called on application shutdown: stop reading and close what the bus itself opened (never the user's clients). */
  close?(): Promise<void>;
}

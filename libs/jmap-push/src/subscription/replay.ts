import type { MergedChanges, PushBus } from '../bus/push-bus.interface';

/** Event ids longer than this are treated as unknown without parsing. */
const MAX_EVENT_ID_LENGTH = 64;

/**
 * The changes of these accounts after `since` (an event id a client held: `Last-Event-ID` or
 * `pushState`), merged; the latest states when the bus cannot place the id. A bus that throws instead of
 * rejecting is turned into a rejection, so every failure takes one path.
 */
export function readMissedChanges(
  bus: PushBus,
  since: string,
  accountIds: readonly string[],
): MergedChanges | Promise<MergedChanges> {
  try {
    const missed = since.length <= MAX_EVENT_ID_LENGTH ? bus.changesSince(since, accountIds) : undefined;
    if (missed instanceof Promise) return missed.then((changes) => changes ?? bus.latestStates(accountIds));
    return missed ?? bus.latestStates(accountIds);
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what the host's bus threw, unchanged, as its own rejection would be
    return Promise.reject(error);
  }
}

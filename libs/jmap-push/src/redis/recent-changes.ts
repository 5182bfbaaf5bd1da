import { compareEventIds, parseEventId, type ParsedEventId } from '../bus/event-id';
import type { MergedChanges, PublishedChange } from '../bus/push-bus.interface';
import { mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';

/**
 * The newest changes this node's read loop delivered, in memory. Every node reads every entry of the
 * shared stream, so a `Last-Event-ID` issued by any node is answered here, synchronously, as long as it
 * falls inside the window: a reconnect storm costs no Redis round trip at all. Older ids go to Redis.
 */
/** A change with its id parsed once, so a replay can search the window without parsing. */
interface Held {
  readonly change: PublishedChange;
  readonly id: ParsedEventId;
}

export class RecentChanges {
  private readonly ring: Held[] = [];
  /** Index of the oldest change in `ring` once it is full. */
  private head = 0;
  /** Every change after this id is in the window; `undefined` until the read loop knows where it starts. */
  private floor: ParsedEventId | undefined;
  private newestId = '';
  private newest: ParsedEventId | undefined;

  constructor(private readonly capacity: number) {}

  /** The read loop starts after `id`: from now on, every later entry is recorded. */
  startAfter(id: string): void {
    this.ring.length = 0;
    this.head = 0;
    this.floor = parseEventId(id);
    this.newest = this.floor;
    this.newestId = id;
  }

  record(change: PublishedChange): void {
    const id = parseEventId(change.id);
    if (!id || !this.newest) return;
    if (compareEventIds(id, this.newest) <= 0) {
      // Ids went back: the stream was recreated (Redis lost its data). Start over after this entry.
      this.startAfter(change.id);
      return;
    }
    if (this.ring.length < this.capacity) {
      this.ring.push({ change, id });
    } else {
      this.floor = this.ring[this.head].id;
      this.ring[this.head] = { change, id };
      this.head = (this.head + 1) % this.capacity;
    }
    this.newest = id;
    this.newestId = change.id;
  }

  /** The changes after `lastEventId` for these accounts, merged; `undefined` when the window cannot tell. */
  since(lastEventId: string, accountIds: readonly string[]): MergedChanges | undefined {
    const last = parseEventId(lastEventId);
    if (!last || !this.floor || !this.newest) return undefined;
    if (compareEventIds(last, this.floor) < 0 || compareEventIds(last, this.newest) > 0) return undefined;
    const size = this.ring.length;
    // Ids grow along the window: binary-search the first change after `last`, then merge forwards so
    // the newest state wins.
    let low = 0;
    let high = size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareEventIds(this.at(middle).id, last) > 0) high = middle;
      else low = middle + 1;
    }
    const wanted = new Set(accountIds);
    const accounts = new Map<string, TypeState>();
    for (let i = low; i < size; i++) {
      const { change } = this.at(i);
      if (wanted.has(change.accountId)) {
        accounts.set(change.accountId, mergeTypeStates(accounts.get(change.accountId), change.changed));
      }
    }
    return { id: this.newestId, accounts };
  }

  /** The `i`-th oldest change in the window. */
  private at(i: number): Held {
    return this.ring[(this.head + i) % this.ring.length];
  }
}

import { mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import { compareEventIds, parseEventId, type ParsedEventId } from './event-id';
import type { MergedChanges, PublishedChange } from './push-bus.interface';

/**
 * The newest changes a bus delivered, in memory, in id order: what answers a `Last-Event-ID`
 * synchronously as long as the id falls inside it. The in-memory bus keeps its whole replay history
 * here; the Redis bus keeps what its read loop delivered (every node reads every entry of the shared
 * change log, so an id issued by any node qualifies) and goes to Redis only for older ids.
 */
export class ChangeWindow {
  /** The changes, oldest at `head` once full; `ms[i]` and `seq[i]` hold the parsed id of `ring[i]`. */
  private readonly ring: PublishedChange[] = [];
  private readonly ms: number[] = [];
  private readonly seq: number[] = [];
  private head = 0;
  /** Every change after this id is in the window; `undefined` until the bus knows where delivery starts. */
  private floor: ParsedEventId | undefined;
  private newestId = '';
  private newest: ParsedEventId | undefined;

  constructor(private readonly capacity: number) {}

  /** Delivery starts after `id`: from now on, every later change is recorded. */
  startAfter(id: string): void {
    this.ring.length = 0;
    this.ms.length = 0;
    this.seq.length = 0;
    this.head = 0;
    this.floor = parseEventId(id);
    this.newest = this.floor;
    this.newestId = id;
  }

  /** Adds the newest change; `parsedId` spares the parse when the caller built the id itself. */
  record(change: PublishedChange, parsedId: ParsedEventId | undefined = parseEventId(change.id)): void {
    if (!parsedId || !this.newest) return;
    if (compareEventIds(parsedId, this.newest) <= 0) {
      // Ids went back: the change log was recreated (Redis lost its data). Start over after this change.
      this.startAfter(change.id);
      return;
    }
    // Parsed ids in plain number arrays: a publish adds no object that lives as long as the window.
    if (this.ring.length < this.capacity) {
      this.ring.push(change);
      this.ms.push(parsedId.ms);
      this.seq.push(parsedId.seq);
    } else {
      const slot = this.head;
      this.floor = { ms: this.ms[slot], seq: this.seq[slot] };
      this.ring[slot] = change;
      this.ms[slot] = parsedId.ms;
      this.seq[slot] = parsedId.seq;
      this.head = (slot + 1) % this.capacity;
    }
    this.newest = parsedId;
    this.newestId = change.id;
  }

  /**
   * The changes after `lastEventId` for these accounts, merged, with the newest id recorded; `undefined`
   * when the window cannot tell (malformed, older than the window, newer than anything recorded).
   */
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
      if (this.isAfter(this.slot(middle), last)) high = middle;
      else low = middle + 1;
    }
    const wanted = new Set(accountIds);
    const accounts = new Map<string, TypeState>();
    for (let i = low; i < size; i++) {
      const change = this.ring[this.slot(i)];
      if (wanted.has(change.accountId)) {
        accounts.set(change.accountId, mergeTypeStates(accounts.get(change.accountId), change.changed));
      }
    }
    return { id: this.newestId, accounts };
  }

  /** Whether the change in `slot` is newer than `id` (`compareEventIds`, on the stored numbers). */
  private isAfter(slot: number, id: ParsedEventId): boolean {
    const ms = this.ms[slot];
    return ms > id.ms || (ms === id.ms && this.seq[slot] > id.seq);
  }

  /** Where the `i`-th oldest change sits in the ring. */
  private slot(i: number): number {
    return (this.head + i) % this.ring.length;
  }
}

export type ChangeKind = 'created' | 'updated' | 'destroyed';

/** One change of one record, at one position (`seq`) of its account's history. */
export interface ChangeEntry {
  readonly seq: number;
  readonly id: string;
  readonly kind: ChangeKind;
  /** Only server-set counts changed (Mailbox; feeds `updatedProperties` of Mailbox/changes). */
  readonly countsOnly: boolean;
}

/** The answer of `/changes`, before states are formatted. */
export interface ChangesWindow {
  readonly created: string[];
  readonly updated: string[];
  readonly destroyed: string[];
  /** The position the client is at after applying this window. */
  readonly newSeq: number;
  readonly hasMoreChanges: boolean;
  /** Every update in the window touched counts only (and there was at least one). */
  readonly onlyCountsUpdated: boolean;
}

type Net = 'created' | 'updated' | 'destroyed' | 'createdThenDestroyed';

/**
 * The change history of one type in one account, for `Foo/changes`.
 *
 * Every change gets its own `seq`, and a type's state is the `seq` of its latest change, so any `seq`
 * between two changes is a state a client can resume from: that is what lets `maxChanges` cut a window
 * anywhere. The oldest entries are dropped past `capacity`; older states then get `cannotCalculateChanges`.
 */
export class ChangeLog {
  private entries: ChangeEntry[] = [];
  /** States below this can no longer be answered: their changes were dropped. */
  private floor = 0;

  constructor(private readonly capacity = 10_000) {}

  append(entry: ChangeEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) {
      const dropped = this.entries.splice(0, this.entries.length - this.capacity);
      this.floor = dropped[dropped.length - 1].seq;
    }
  }

  /** Whether changes since `seq` can be computed (it is neither too old nor from the future). */
  canAnswer(seq: number, currentSeq: number): boolean {
    return seq >= this.floor && seq <= currentSeq;
  }

  /**
   * The changes after `sinceSeq`, in order, stopping before the change that would make more than
   * `maxChanges` ids. Net effects per RFC 8620 section 5.2: created+updated is created, updated+destroyed
   * is destroyed, created+destroyed is left out.
   */
  changesSince(sinceSeq: number, currentSeq: number, maxChanges: number): ChangesWindow {
    const net = new Map<string, Net>();
    let newSeq = currentSeq;
    let hasMoreChanges = false;
    let onlyCountsUpdated = true;
    let anyUpdate = false;
    for (const entry of this.entries) {
      if (entry.seq <= sinceSeq) continue;
      if (entry.seq > currentSeq) break;
      const before = net.get(entry.id);
      if (before === undefined && net.size >= maxChanges) {
        // Stop just before this change: everything up to the previous one is applied.
        newSeq = entry.seq - 1;
        hasMoreChanges = true;
        break;
      }
      if (entry.kind === 'updated') {
        anyUpdate = true;
        if (!entry.countsOnly) onlyCountsUpdated = false;
      }
      net.set(entry.id, combine(before, entry.kind));
    }
    const window: ChangesWindow = {
      created: idsWith(net, 'created'),
      updated: idsWith(net, 'updated'),
      destroyed: idsWith(net, 'destroyed'),
      newSeq,
      hasMoreChanges,
      onlyCountsUpdated: anyUpdate && onlyCountsUpdated,
    };
    return window;
  }
}

function combine(before: Net | undefined, kind: ChangeKind): Net {
  if (before === undefined) return kind;
  if (kind === 'destroyed') return before === 'created' ? 'createdThenDestroyed' : 'destroyed';
  if (kind === 'updated') return before === 'created' ? 'created' : 'updated';
  // A created id is never reused, so `created` after anything else does not happen; keep the latest.
  return kind;
}

function idsWith(net: Map<string, Net>, wanted: Net): string[] {
  const ids: string[] = [];
  for (const [id, value] of net) if (value === wanted) ids.push(id);
  return ids;
}

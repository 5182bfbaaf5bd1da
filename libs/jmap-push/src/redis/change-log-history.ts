import type { MergedChanges } from '../bus/push-bus.interface';
import { compareEventIds, parseEventId, type ParsedEventId } from '../bus/event-id';
import { mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import type { RedisConnection, RedisReply } from './redis-connection.interface';
import type { RedisKeys } from './redis-keys';
import { toPublishedChange, toRawEntries, type RawLogEntry } from './change-log-entry';
import { withDeadline } from './with-deadline';

const NO_ID = '0-0';

/**
 * Entries a replay reads at most (the change log's default length). A client further behind gets the
 * latest states instead, which is the same answer for it.
 */
const MAX_REPLAY_ENTRIES = 10_000;

/**
 * Entries a latest-states read fetches past the read loop's offset (such reads are not shared, unlike
 * replays): a loop further behind is waited for instead.
 */
const MAX_CATCH_UP_ENTRIES = 1_000;

/**
 * One read of the change log after an id, merged per account once, shared by every client that reconnects
 * with that id: each client then costs a lookup per account it may read, not a pass over the entries.
 */
interface SharedReplay {
  readonly newest: string;
  readonly byAccount: ReadonlyMap<string, TypeState>;
}

/**
 * The read side of the change log for connecting clients: what a `Last-Event-ID` missed, and the latest
 * states. Each answer comes from one MULTI, so the bounds it checks and the entries it reads are one
 * snapshot even while other nodes publish and trim.
 *
 * Given where the node's read loop stands (`deliveredUpTo`), a read also fetches the entries after it and
 * hands them to `absorb` before answering: the loop delivers them then, so an answer's id is never ahead
 * of what the node's streams were given live.
 */
export class ChangeLogHistory {
  private readonly inFlight = new Map<string, Promise<SharedReplay | undefined>>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
    private readonly commandTimeoutMs: number,
    private readonly absorb: (readAfter: string, entries: readonly RawLogEntry[]) => void,
  ) {}

  /**
   * The changes after `lastEventId` (exclusive) for these accounts, merged; `undefined` when the id is
   * malformed, newer than anything the change log produced, older than what it still retains, or more than
   * `MAX_REPLAY_ENTRIES` behind (the caller then sends the latest states, as right and far cheaper).
   */
  async changesSince(
    lastEventId: string,
    accountIds: readonly string[],
    deliveredUpTo?: string,
  ): Promise<MergedChanges | undefined> {
    const last = parseEventId(lastEventId);
    if (!last) return undefined;
    // A reconnect storm is thousands of clients holding the same few ids: one read serves them all. A
    // shared read that began at an older offset still continues it: offsets only grow.
    let read = this.inFlight.get(lastEventId);
    if (!read) {
      const delivered = deliveredUpTo === undefined ? undefined : parseEventId(deliveredUpTo);
      const from = delivered && compareEventIds(delivered, last) < 0 ? (deliveredUpTo as string) : lastEventId;
      read = this.readSince(lastEventId, last, from).finally(() => this.inFlight.delete(lastEventId));
      this.inFlight.set(lastEventId, read);
    }
    const replay = await read;
    if (!replay) return undefined;
    const accounts = new Map<string, TypeState>();
    for (const accountId of accountIds) {
      const states = replay.byAccount.get(accountId);
      if (states) accounts.set(accountId, states);
    }
    return { id: replay.newest, accounts };
  }

  /**
   * Every change after `lastEventId`, merged per account, with the id of the newest one the read covers.
   * The read begins at `from`: `lastEventId`, or the loop's offset when that is older.
   */
  private async readSince(lastEventId: string, last: ParsedEventId, from: string): Promise<SharedReplay | undefined> {
    const [info, range] = await this.run([
      ['XINFO', 'STREAM', this.keys.changeLog],
      // `(`: exclusive start (Redis 6.2+): the client already has `lastEventId` itself. One entry past the
      // cap tells "more than the cap" from "exactly the cap".
      ['XRANGE', this.keys.changeLog, `(${from}`, '+', 'COUNT', String(MAX_REPLAY_ENTRIES + 1)],
    ]);
    if (info instanceof Error) {
      // No change log at all: nothing was ever published (or Redis lost its data). Only "before anything" is known.
      if (/no such key/i.test(info.message)) return isZero(last) ? { newest: NO_ID, byAccount: new Map() } : undefined;
      throw info;
    }
    if (range instanceof Error) throw range;
    const entries = toRawEntries(range);
    this.absorb(from, entries);
    const bounds = readBounds(info);
    if (!bounds || !isRetained(last, bounds)) return undefined;
    if (entries.length > MAX_REPLAY_ENTRIES) return undefined;
    const byAccount = new Map<string, TypeState>();
    for (const entry of entries) {
      const change = toPublishedChange(entry);
      if (!change || (from !== lastEventId && !isAfter(entry.id, last))) continue;
      byAccount.set(change.accountId, mergeTypeStates(byAccount.get(change.accountId), change.changed));
    }
    const newest = entries.length > 0 ? entries[entries.length - 1].id : bounds.lastGeneratedId;
    return { newest, byAccount };
  }

  /** The latest state of every type of these accounts, with the id of the newest entry they include. */
  async latestStates(accountIds: readonly string[], deliveredUpTo?: string): Promise<MergedChanges> {
    const unique = [...new Set(accountIds)];
    const [head, ...hashes] = await this.run([
      ['XREVRANGE', this.keys.changeLog, '+', '-', 'COUNT', '1'],
      ...unique.map((accountId) => ['HGETALL', this.keys.latest(accountId)]),
      // Last, so that `hashes` keeps one reply per account.
      ...(deliveredUpTo === undefined
        ? []
        : [['XRANGE', this.keys.changeLog, `(${deliveredUpTo}`, '+', 'COUNT', String(MAX_CATCH_UP_ENTRIES)]]),
    ]);
    const failure = [head, ...hashes].find((reply): reply is Error => reply instanceof Error);
    if (failure) throw failure;
    if (deliveredUpTo !== undefined) this.absorb(deliveredUpTo, toRawEntries(hashes.pop() as RedisReply));
    const accounts = new Map<string, TypeState>();
    unique.forEach((accountId, index) => {
      const states = toTypeState(hashes[index] as RedisReply);
      if (states) accounts.set(accountId, states);
    });
    const newest = toRawEntries(head as RedisReply).at(0);
    return { id: newest?.id ?? NO_ID, accounts };
  }

  /** The id of the newest entry in the change log, or `0-0` when there is none. */
  async headId(): Promise<string> {
    const [head] = await this.run([['XREVRANGE', this.keys.changeLog, '+', '-', 'COUNT', '1']]);
    if (head instanceof Error) throw head;
    return toRawEntries(head)[0]?.id ?? NO_ID;
  }

  private run(commands: string[][]): Promise<Array<RedisReply | Error>> {
    return withDeadline(this.connection, this.commandTimeoutMs, () => this.connection.transaction(commands));
  }
}

/** What XINFO STREAM says about the ids the change log produced and dropped. */
interface LogBounds {
  readonly lastGeneratedId: string;
  readonly lastGenerated: ParsedEventId;
  readonly firstEntry?: ParsedEventId;
  /** True when no entry was ever trimmed or deleted (Redis 7+: `entries-added` equals `length`). */
  readonly complete: boolean;
  /** Newest id removed by XDEL (Redis 7+; trimming does not move it). */
  readonly maxDeleted?: ParsedEventId;
}

function readBounds(info: RedisReply): LogBounds | undefined {
  if (!Array.isArray(info)) return undefined;
  const fields = new Map<string, RedisReply>();
  for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
  const lastGeneratedId = fields.get('last-generated-id');
  const lastGenerated = typeof lastGeneratedId === 'string' ? parseEventId(lastGeneratedId) : undefined;
  if (!lastGenerated || typeof lastGeneratedId !== 'string') return undefined;
  const maxDeleted = fields.get('max-deleted-entry-id');
  const entriesAdded = fields.get('entries-added');
  const firstEntry = toRawEntries([fields.get('first-entry') ?? null]).at(0);
  return {
    lastGeneratedId,
    lastGenerated,
    firstEntry: firstEntry ? parseEventId(firstEntry.id) : undefined,
    complete: entriesAdded !== undefined && Number(entriesAdded) === Number(fields.get('length')),
    maxDeleted: typeof maxDeleted === 'string' ? parseEventId(maxDeleted) : undefined,
  };
}

/**
 * Whether every entry after `last` is still in the change log. An id beyond the newest one ever generated
 * is unknown (another bus, a Redis that lost its data). Otherwise the entries after `last` are all there
 * when nothing was ever removed, or when `last` is at or after the first retained entry (trimming only
 * removes the oldest) and after any XDEL'd id. An id just before the first retained entry cannot be told
 * from one long trimmed, so it gets the latest states too: harmless, and rare.
 */
function isRetained(last: ParsedEventId, bounds: LogBounds): boolean {
  const toNewest = compareEventIds(last, bounds.lastGenerated);
  if (toNewest > 0) return false;
  if (toNewest === 0 || bounds.complete) return true;
  if (bounds.maxDeleted && compareEventIds(last, bounds.maxDeleted) < 0) return false;
  return bounds.firstEntry !== undefined && compareEventIds(last, bounds.firstEntry) >= 0;
}

function isAfter(id: string, than: ParsedEventId): boolean {
  const parsed = parseEventId(id);
  return parsed !== undefined && compareEventIds(parsed, than) > 0;
}

function isZero(id: ParsedEventId): boolean {
  return id.ms === 0 && id.seq === 0;
}

/** An HGETALL reply (flat field/value list) as a TypeState; `undefined` for an empty or absent hash. */
function toTypeState(reply: RedisReply): TypeState | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const states: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) states[String(reply[i])] = String(reply[i + 1]);
  return states;
}

import type { PublishedChange } from '../bus/push-bus.interface';
import { isTypeState } from '../state/state-change-check';
import type { RedisReply } from './redis-connection.interface';

/** Field of a change-log entry holding the account id. */
export const ACCOUNT_FIELD = 'account';
/** Field of a change-log entry holding the JSON of the changed states (type name to state). */
export const CHANGED_FIELD = 'changed';

/** One raw change-log entry as XRANGE/XREAD give it: its id and its flat field/value list. */
export interface RawLogEntry {
  readonly id: string;
  readonly fields: readonly RedisReply[];
}

/** The entries of an XRANGE/XREVRANGE reply (or of the change log's part of an XREAD reply); skips malformed rows. */
export function toRawEntries(reply: RedisReply): RawLogEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: RawLogEntry[] = [];
  for (const row of reply) {
    if (Array.isArray(row) && typeof row[0] === 'string' && Array.isArray(row[1])) {
      entries.push({ id: row[0], fields: row[1] });
    }
  }
  return entries;
}

/**
 * The change an entry carries, or `undefined` when the entry is not one of ours (written by hand, by an
 * older version): such entries are skipped, but still advance offsets, so they cannot stall a reader.
 */
export function toPublishedChange(entry: RawLogEntry): PublishedChange | undefined {
  let accountId: unknown;
  let json: unknown;
  for (let i = 0; i + 1 < entry.fields.length; i += 2) {
    if (entry.fields[i] === ACCOUNT_FIELD) accountId = entry.fields[i + 1];
    else if (entry.fields[i] === CHANGED_FIELD) json = entry.fields[i + 1];
  }
  if (typeof accountId !== 'string' || typeof json !== 'string') return undefined;
  let changed: unknown;
  try {
    changed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isTypeState(changed)) return undefined;
  return { id: entry.id, accountId, changed };
}

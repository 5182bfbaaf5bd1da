import type { PublishedChange } from '../bus/push-bus.interface';
import type { TypeState } from '../state/type-state';
import type { RedisReply } from './redis-connection.interface';

/** Field of a stream entry holding the account id. */
export const ACCOUNT_FIELD = 'account';
/** Field of a stream entry holding the JSON of the changed states (type name to state). */
export const CHANGED_FIELD = 'changed';

/** One raw stream entry as XRANGE/XREAD give it: its id and its flat field/value list. */
export interface RawStreamEntry {
  readonly id: string;
  readonly fields: readonly RedisReply[];
}

/** The entries of an XRANGE/XREVRANGE reply (or of one stream in an XREAD reply); skips malformed rows. */
export function toRawEntries(reply: RedisReply): RawStreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: RawStreamEntry[] = [];
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
export function toPublishedChange(entry: RawStreamEntry): PublishedChange | undefined {
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

/** A non-empty object of strings: what `publish()` accepts and what an entry must carry. */
export function isTypeState(value: unknown): value is TypeState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const states = Object.values(value);
  return states.length > 0 && states.every((state) => typeof state === 'string');
}

import type { TypeState } from '../state/type-state';
import type { RedisConnection, RedisReply } from './redis-connection.interface';
import type { RedisKeys } from './redis-keys';
import { ACCOUNT_FIELD, CHANGED_FIELD, isTypeState } from './stream-entry';
import { withDeadline } from './with-deadline';

/** Entries kept in the stream for `Last-Event-ID` replay when no `maxLen` is given (approximately). */
export const DEFAULT_MAX_LEN = 10_000;
/** How long a command may wait for Redis when no `commandTimeoutMs` is given. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/** How `appendStateChange` writes. */
export interface StateChangeWrite {
  readonly keys: RedisKeys;
  readonly maxLen: number;
  readonly commandTimeoutMs: number;
}

/**
 * Records one state change: appends it to the stream (trimmed to about `maxLen` entries) and merges it
 * into the account's latest-states hash, in one MULTI so the two can never disagree. Resolves with the
 * entry id, which is the change's SSE event id on every node.
 *
 * The single write path of `jmap-push/redis`: `RedisPushBus.publish()` and `publishStateChange()` both
 * come here, so a worker outside Nest writes exactly what a node writes.
 */
export async function appendStateChange(
  connection: RedisConnection,
  write: StateChangeWrite,
  accountId: string,
  changed: TypeState,
): Promise<string> {
  if (typeof accountId !== 'string' || accountId === '') {
    throw new TypeError('accountId must be a non-empty string');
  }
  if (!isTypeState(changed)) {
    throw new TypeError('changed must be a non-empty object of type name to state string');
  }
  const states = Object.entries(changed).flat();
  let replies: Array<RedisReply | Error>;
  try {
    replies = await withDeadline(connection, write.commandTimeoutMs, () =>
      connection.transaction([
        // `~`: Redis trims whole macro nodes, which is cheap; the stream keeps at least `maxLen` entries.
        [
          'XADD',
          write.keys.stream,
          'MAXLEN',
          '~',
          String(write.maxLen),
          '*',
          ACCOUNT_FIELD,
          accountId,
          CHANGED_FIELD,
          JSON.stringify(changed),
        ],
        ['HSET', write.keys.latest(accountId), ...states],
      ]),
    );
  } catch (error) {
    throw new Error(`State change not recorded in Redis: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const failure = replies.find((reply): reply is Error => reply instanceof Error);
  if (failure) throw new Error(`Redis refused the state change: ${failure.message}`, { cause: failure });
  const [id] = replies;
  if (typeof id !== 'string') throw new Error('Redis gave no stream id for the state change');
  return id;
}

import { JmapPushError } from '../errors/jmap-push.error';
import type { TypeState } from '../state/type-state';
import { describeError } from '../util/describe-error';
import { ACCOUNT_FIELD, CHANGED_FIELD } from './change-log-entry';
import type { RedisConnection, RedisReply } from './redis-connection.interface';
import type { RedisKeys } from './redis-keys';
import { withDeadline } from './with-deadline';

/** Entries kept in the change log for `Last-Event-ID` replay when no `maxLen` is given (approximately). */
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
 * Records one state change, already checked by `validStateChange`: appends it to the change log
 * (trimmed to about `maxLen` entries) and merges it into the account's latest-states hash, in one MULTI so
 * the two can never disagree. Resolves with the entry id, which is the change's SSE event id on every node.
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
  const states = Object.entries(changed).flat();
  let replies: Array<RedisReply | Error>;
  try {
    replies = await withDeadline(connection, write.commandTimeoutMs, () =>
      connection.transaction([
        // `~`: Redis trims whole macro nodes, which is cheap; the log keeps at least `maxLen` entries.
        [
          'XADD',
          write.keys.changeLog,
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
    throw new JmapPushError(`State change not recorded in Redis: ${describeError(error)}`, { cause: error });
  }
  const failure = replies.find((reply): reply is Error => reply instanceof Error);
  if (failure) throw new JmapPushError(`Redis refused the state change: ${failure.message}`, { cause: failure });
  const [id] = replies;
  if (typeof id !== 'string') throw new JmapPushError('Redis gave no entry id for the state change');
  return id;
}

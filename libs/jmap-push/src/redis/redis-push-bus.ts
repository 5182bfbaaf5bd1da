import { Logger } from '@nestjs/common';
import { ChangeListeners } from '../bus/change-listeners';
import { ChangeWindow } from '../bus/change-window';
import { parseEventId } from '../bus/event-id';
import type { ChangeListener, MergedChanges, PushBus } from '../bus/push-bus.interface';
import { JmapPushError } from '../errors/jmap-push.error';
import { validStateChange } from '../state/state-change-check';
import type { TypeState } from '../state/type-state';
import type { MaybePromise } from '../util/maybe-promise';
import { positiveIntegerOption } from '../util/positive-integer-option';
import { ChangeLogHistory } from './change-log-history';
import { ChangeLogReader } from './change-log-reader';
import { toRedisConnection } from './redis-client';
import type { OwnedRedisConnection, RedisConnection } from './redis-connection.interface';
import { RedisKeys } from './redis-keys';
import type { RedisPushBusOptions } from './redis-push-bus-options.interface';
import {
  appendStateChange,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_LEN,
  type StateChangeWrite,
} from './state-change-writer';

const DEFAULT_BLOCK_MS = 5_000;
const DEFAULT_READ_BATCH_SIZE = 500;
const DEFAULT_REPLAY_WINDOW = 10_000;
const DEFAULT_READER_CONNECTION_NAME = 'jmap-push:reader';
const DEFAULT_WRITER_CONNECTION_NAME = 'jmap-push:writer';
const OWNER = 'RedisPushBus';

/**
 * A `PushBus` for many nodes, over one Redis stream: the change log.
 *
 * - `publish()` appends the change to the change log (`XADD … MAXLEN ~`) and to the account's latest-states
 *   hash in one MULTI; the entry id is the SSE event id, so `Last-Event-ID` means the same on every node.
 * - Each node runs one blocking XREAD loop on its own connection (opened by `listen()` or `ready()`), which
 *   delivers every entry (its own included) to its listeners in change-log order, once, and resumes from its
 *   offset after a Redis blip.
 * - `changesSince()` replays from the change log with XRANGE, so a client may reconnect to any node;
 *   an id older than the retained log gives `undefined`, and the caller sends `latestStates()`.
 *
 * Not a consumer group on purpose: a group hands each entry to one consumer; every node needs every entry.
 *
 * @example
 * ```ts
 * JmapPushModule.forRootAsync({
 *   imports: [RedisModule], // provides REDIS: your ioredis client, which you close on shutdown
 *   inject: [REDIS],
 *   useFactory: async (redis: Redis) => {
 *     const bus = new RedisPushBus({ client: redis });
 *     await bus.ready(); // streams then start at the change log's head
 *     return { authenticator, bus };
 *   },
 * })
 * ```
 */
export class RedisPushBus implements PushBus {
  private readonly connection: RedisConnection;
  private readonly write: StateChangeWrite;
  private readonly history: ChangeLogHistory;
  private readonly reader: ChangeLogReader;
  private readonly writerName: string;
  private writer?: OwnedRedisConnection;
  private readonly listeners = new ChangeListeners(new Logger(RedisPushBus.name));
  private readonly recent: ChangeWindow;
  private windowStarted = false;
  private closed = false;

  constructor(options: RedisPushBusOptions) {
    const keys = new RedisKeys(options.keyPrefix);
    this.connection = toRedisConnection(options.client, keys.prefix);
    const commandTimeoutMs = count('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS);
    this.write = { keys, maxLen: count('maxLen', options.maxLen, DEFAULT_MAX_LEN), commandTimeoutMs };
    this.writerName = options.writerConnectionName ?? DEFAULT_WRITER_CONNECTION_NAME;
    this.history = new ChangeLogHistory(this.connection, keys, commandTimeoutMs, (readAfter, entries) => {
      this.reader.absorb(readAfter, entries);
    });
    this.recent = new ChangeWindow(count('replayWindow', options.replayWindow, DEFAULT_REPLAY_WINDOW));
    this.reader = new ChangeLogReader(
      this.connection,
      keys,
      this.history,
      {
        blockMs: count('blockMs', options.blockMs, DEFAULT_BLOCK_MS),
        batchSize: count('readBatchSize', options.readBatchSize, DEFAULT_READ_BATCH_SIZE),
        connectionName: options.readerConnectionName ?? DEFAULT_READER_CONNECTION_NAME,
      },
      (change, id) => {
        this.recent.record(change, id);
        this.listeners.notify(change);
      },
    );
  }

  /**
   * Records the change in Redis; every node's listeners receive it through their read loop (this node's
   * too, so there is one delivery path and one order). Rejects with `InvalidStateChangeError` for input
   * no stream could carry, and when Redis is unreachable within `commandTimeoutMs` or refuses the write:
   * nothing is dropped silently, and nothing waits in an offline queue.
   *
   * Writes go through a connection of the bus's own (opened on the first publish) that never re-sends a
   * command after a reconnection: through the user's client, a write rejected during a Redis restart could
   * still be carried out later, after newer states from other nodes, and leave a stale latest state.
   */
  async publish(accountId: string, changed: TypeState): Promise<string> {
    if (this.closed) throw new JmapPushError('RedisPushBus is closed');
    const copy = validStateChange('publish()', accountId, changed);
    this.writer ??= this.connection.duplicate(this.writerName, 'writes');
    return appendStateChange(this.writer, this.write, accountId, copy);
  }

  /** Adds a listener and starts the read loop on the first call. */
  listen(listener: ChangeListener): () => void {
    if (this.closed) throw new JmapPushError('RedisPushBus is closed');
    const remove = this.listeners.add(listener);
    void this.ready();
    return remove;
  }

  /**
   * Resolves once the read loop knows where the change log ends (starting it if needed). Until then
   * `currentId()` is `0-0`, which is safe (a reconnect from it replays, or gets the latest states) but
   * costs more; await this before serving streams when that matters, and in tests.
   */
  ready(): Promise<void> {
    return this.reader.start().then(() => {
      // Before the loop's first read can come back (I/O comes after this microtask): the window starts
      // exactly where delivery does.
      if (!this.windowStarted) {
        this.windowStarted = true;
        this.recent.startAfter(this.reader.currentId());
      }
    });
  }

  /** The id of the newest entry this node delivered. */
  currentId(): string {
    return this.reader.currentId();
  }

  /**
   * Replays from the shared change log, so the id may come from any node; see `PushBus.changesSince`.
   * Before the answer, this node delivers whatever the read fetched past its read loop's offset, so no
   * live change with an id at or below the answer's can reach a stream after it. Only a loop more than a
   * read's worth of entries behind is waited for instead (up to `commandTimeoutMs`).
   */
  changesSince(lastEventId: string, accountIds: readonly string[]): MaybePromise<MergedChanges | undefined> {
    if (!parseEventId(lastEventId)) return undefined;
    // The client stopped where this node stands: whatever follows reaches it live. No Redis round trip.
    if (lastEventId === this.reader.currentId() && lastEventId !== '0-0') {
      return { id: lastEventId, accounts: new Map() };
    }
    // Within what this node has read (the usual reconnect, to this node or from another): from memory.
    const recent = this.recent.since(lastEventId, accountIds);
    if (recent) return recent;
    return this.afterCatchUp(this.history.changesSince(lastEventId, accountIds, this.reader.runningOffset()));
  }

  /** The latest states kept in Redis (they survive a restart of Redis when it persists). */
  latestStates(accountIds: readonly string[]): Promise<MergedChanges> {
    return this.afterCatchUp(this.history.latestStates(accountIds, this.reader.runningOffset()));
  }

  private async afterCatchUp<T extends MergedChanges | undefined>(read: Promise<T>): Promise<T> {
    const merged = await read;
    if (merged) await this.reader.caughtUp(merged.id, this.write.commandTimeoutMs);
    return merged;
  }

  /** Stops the read loop and closes the bus's own connections. The client given in the options stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await Promise.all([this.reader.stop(), this.writer?.close()]);
  }
}

/** A counting option of the bus, or its default. */
function count(name: string, value: number | undefined, fallback: number): number {
  return positiveIntegerOption(OWNER, name, value, fallback);
}

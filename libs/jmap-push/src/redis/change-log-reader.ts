import { Logger } from '@nestjs/common';
import { compareEventIds, parseEventId, type ParsedEventId } from '../bus/event-id';
import type { PublishedChange } from '../bus/push-bus.interface';
import { describeError } from '../util/describe-error';
import { STOPPED, StopSignal } from '../util/stop-signal';
import type { OwnedRedisConnection, RedisConnection, RedisReply } from './redis-connection.interface';
import type { RedisKeys } from './redis-keys';
import { toPublishedChange, toRawEntries, type RawLogEntry } from './change-log-entry';
import type { ChangeLogHistory } from './change-log-history';

/** How a `ChangeLogReader` reads. */
export interface ChangeLogReaderOptions {
  /** How long one XREAD waits for new entries before it is sent again. */
  readonly blockMs: number;
  /** Entries one XREAD may return. */
  readonly batchSize: number;
  /** Name of the reading connection (`CLIENT LIST` shows it). */
  readonly connectionName: string;
}

/** First and longest pause before reading again after a failed read. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * The node's one read loop: a blocking XREAD on a connection of its own, from the id of the last entry it
 * delivered. Only delivery moves that offset, so after a Redis blip (a reconnect, a failed read) the next
 * XREAD asks for exactly the entries after it: none lost, none twice. Every entry read is handed to
 * `deliver` in change-log order, this node's own publishes included.
 */
export class ChangeLogReader {
  private readonly logger = new Logger('RedisPushBus');
  private offset = '0-0';
  private connection?: OwnedRedisConnection;
  private readonly stopping = new StopSignal();
  private isStarted = false;
  private failing = false;
  private loop?: Promise<void>;
  private readonly started: Promise<void>;
  private markStarted!: () => void;
  private catchUps: Array<{ id: ParsedEventId; done: () => void }> = [];

  constructor(
    private readonly source: RedisConnection,
    private readonly keys: RedisKeys,
    private readonly history: ChangeLogHistory,
    private readonly options: ChangeLogReaderOptions,
    private readonly deliver: (change: PublishedChange, id: ParsedEventId) => void,
  ) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
  }

  /** The id of the newest entry delivered (at first: the change log's newest entry when reading began). */
  currentId(): string {
    return this.offset;
  }

  /** The offset while the loop runs (what `absorb` continues from); `undefined` before it started or after it stopped. */
  runningOffset(): string | undefined {
    return this.isStarted && !this.stopping.stopped ? this.offset : undefined;
  }

  /**
   * Delivers the entries another read of the change log fetched (a replay), as the loop itself would:
   * the ones after the offset, in order, once; the loop's own XREAD then skips them. A replay answered
   * after this never gets ahead of what this node delivered, so no live change with a lower id can follow
   * it. `readAfter` is where that read began (exclusive): one that began past the offset would leave a
   * gap, and is not taken.
   */
  absorb(readAfter: string, entries: readonly RawLogEntry[]): void {
    const start = parseEventId(readAfter);
    const offset = parseEventId(this.offset);
    if (this.runningOffset() === undefined || !start || !offset || compareEventIds(start, offset) > 0) return;
    this.deliverEntries(entries);
  }

  /** Starts the loop (once); resolves when the starting offset is known, so `currentId()` is meaningful. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.started;
  }

  /**
   * Resolves once this node has delivered `id` (or anything newer) to its listeners, or after
   * `timeoutMs`, or at once when the loop is not running. For a replay that `absorb` could not bring the
   * loop up to (more entries behind than one read fetches): a stream that waits for the loop before
   * sending the replay gets the entries in between while it still buffers, instead of after.
   */
  caughtUp(id: string, timeoutMs: number): Promise<void> {
    const target = parseEventId(id);
    if (!target || !this.loop || this.stopping.stopped || this.hasDelivered(target)) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        id: target,
        done: (): void => {
          clearTimeout(timer);
          this.catchUps = this.catchUps.filter((other) => other !== entry);
          resolve();
        },
      };
      const timer = setTimeout(entry.done, timeoutMs);
      this.catchUps.push(entry);
    });
  }

  /** Ends the loop and closes the reading connection, failing its pending XREAD instead of waiting it out. */
  async stop(): Promise<void> {
    this.stopping.stop();
    for (const { done } of [...this.catchUps]) done();
    await this.connection?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!this.stopRequested()) {
      try {
        this.connection ??= this.source.duplicate(this.options.connectionName, 'blocking-reads');
        if (this.stopRequested()) break;
        if (!this.isStarted) {
          // Reading connection first, head second: once started, the next XREAD goes straight out.
          await this.connection.waitReady(this.options.blockMs);
          // Start at the head: a node delivers what is published from now on; older changes reach
          // clients through `Last-Event-ID` replay, not through the live path.
          this.offset = await this.history.headId();
          this.isStarted = true;
          this.markStarted();
          continue;
        }
        const read = this.connection.send([
          'XREAD',
          'COUNT',
          String(this.options.batchSize),
          'BLOCK',
          String(this.options.blockMs),
          'STREAMS',
          this.keys.changeLog,
          this.offset,
        ]);
        // Closing the connection normally fails the pending XREAD, but ioredis leaves a command queued
        // during a reconnection pending for ever: `stop()` must not depend on it.
        const reply = await this.stopping.race(read);
        if (reply === STOPPED || this.stopRequested()) break;
        this.deliverAll(reply);
        this.recovered();
        retryMs = RETRY_MIN_MS;
      } catch (error) {
        if (this.stopRequested()) break;
        this.failed(error);
        await this.stopping.pause(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
    // `stop()` may have come while the connection was still being opened: close it here too.
    await this.connection?.close();
  }

  /** Read through a call: `stop()` can run during any `await` of the loop, which narrowing does not see. */
  private stopRequested(): boolean {
    return this.stopping.stopped;
  }

  private deliverAll(reply: RedisReply): void {
    // XREAD replies nil after `blockMs` without entries, else [[key, entries]] for the one key read.
    if (!Array.isArray(reply)) return;
    for (const keyEntries of reply) {
      if (Array.isArray(keyEntries)) this.deliverEntries(toRawEntries(keyEntries[1]));
    }
  }

  /** Delivers the entries after the offset (a replay's `absorb` may already have delivered the others). */
  private deliverEntries(entries: readonly RawLogEntry[]): void {
    let offset = parseEventId(this.offset);
    for (const entry of entries) {
      const id = parseEventId(entry.id);
      if (!id || (offset && compareEventIds(id, offset) <= 0)) continue;
      offset = id;
      this.offset = entry.id;
      const change = toPublishedChange(entry);
      if (change) this.deliver(change, id);
    }
    for (const { id, done } of [...this.catchUps]) if (this.hasDelivered(id)) done();
  }

  private hasDelivered(id: ParsedEventId): boolean {
    const offset = parseEventId(this.offset);
    return this.isStarted && offset !== undefined && compareEventIds(offset, id) >= 0;
  }

  private failed(error: unknown): void {
    // One warning per outage, not one per retry.
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(`Reading the change log failed (${describeError(error)}); retrying from ${this.offset}`);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log(`Reading the change log again from ${this.offset}`);
  }
}

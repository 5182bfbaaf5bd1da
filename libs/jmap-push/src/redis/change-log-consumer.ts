import { Logger } from '@nestjs/common';
import { describeError } from '../util/describe-error';
import { STOPPED, StopSignal } from '../util/stop-signal';
import type { StoredChangeListener } from '../web-push/push-subscription-store.interface';
import { toPublishedChange } from './change-log-entry';
import { DELETE_IDLE_CONSUMER } from './push-subscription-scripts';
import type { OwnedRedisConnection, RedisConnection, RedisReply } from './redis-connection.interface';

/** How a `ChangeLogConsumer` reads. */
export interface ChangeLogConsumerOptions {
  /** The consumer group on the change log. */
  readonly group: string;
  /** This consumer's name in the group. */
  readonly consumer: string;
  /** How long one XREADGROUP waits for new entries. */
  readonly blockMs: number;
  /** Entries one read (or one XAUTOCLAIM) may return. */
  readonly batchSize: number;
  /** Idle time after which another consumer's unacknowledged entry is taken over. */
  readonly claimIdleMs: number;
  /** Time between XAUTOCLAIM passes. */
  readonly claimIntervalMs: number;
  /** Idle time after which a consumer holding nothing is deleted from the group. */
  readonly deadConsumerMs: number;
  /** Name of the reading connection (`CLIENT LIST` shows it). */
  readonly connectionName: string;
}

/** One entry a group read handed over; `fields` is `null` for an entry trimmed from the log since. */
interface ConsumedEntry {
  readonly id: string;
  readonly fields: readonly RedisReply[] | null;
}

/** Thrown out of a command that `stop()` interrupted. */
class Stopped extends Error {}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** XAUTOCLAIM calls one pass makes at most (each scans up to ten times `batchSize` pending entries). */
const MAX_CLAIM_ROUNDS = 10;

/** Creates the consumer group at the change log's end (and the log, if need be), unless it exists. */
export async function ensureConsumerGroup(
  connection: RedisConnection,
  changeLog: string,
  group: string,
): Promise<void> {
  try {
    await connection.send(['XGROUP', 'CREATE', changeLog, group, '$', 'MKSTREAM']);
  } catch (error) {
    if (!/BUSYGROUP/.test(describeError(error))) throw error;
  }
}

/**
 * One node's consumer in a Redis Streams consumer group on the change log: each change goes to one
 * consumer of the group, which hands it to the listener and acknowledges it (XACK) once the listener
 * resolved. What a consumer read and never acknowledged (it died, it was stopped, its listener failed)
 * stays in the group's pending entries list, and any consumer takes it over (XAUTOCLAIM) once it has been
 * idle `claimIdleMs`: every change reaches a listener at least once, on one node at a time unless a
 * listener takes longer than `claimIdleMs`.
 *
 * Changes are handed over one at a time, in the order read: a node merges its changes in log order.
 */
export class ChangeLogConsumer {
  private readonly logger = new Logger('RedisPushSubscriptionStore');
  private connection?: OwnedRedisConnection;
  private readonly stopping = new StopSignal();
  private loop?: Promise<void>;
  private readFailing = false;
  private listenerFailing = false;

  constructor(
    private readonly source: RedisConnection,
    private readonly changeLog: string,
    private readonly options: ChangeLogConsumerOptions,
    private readonly listener: StoredChangeListener,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops reading and closes the connection at once: a listener still running is not waited for, and
   * its entry is left unacknowledged for another node to take over.
   */
  async stop(): Promise<void> {
    this.stopping.stop();
    await this.connection?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    let joined = false;
    let nextClaimAt = 0;
    while (!this.stopRequested()) {
      try {
        this.connection ??= this.source.duplicate(this.options.connectionName, 'blocking-reads');
        if (!joined) {
          await this.untilStopped(this.connection.waitReady(this.options.blockMs));
          await this.untilStopped(ensureConsumerGroup(this.connection, this.changeLog, this.options.group));
          joined = true;
          // A node restarted under the same name first finishes what it read before, acknowledged or not.
          await this.resumeOwnEntries();
        }
        if (Date.now() >= nextClaimAt) {
          await this.takeOverIdleEntries();
          await this.deleteDeadConsumers();
          nextClaimAt = Date.now() + this.options.claimIntervalMs;
        }
        // Wake up for the next XAUTOCLAIM pass in time; BLOCK 0 would mean for ever.
        const blockMs = Math.max(1, Math.min(this.options.blockMs, nextClaimAt - Date.now()));
        const reply = await this.command([
          'XREADGROUP',
          'GROUP',
          this.options.group,
          this.options.consumer,
          'COUNT',
          String(this.options.batchSize),
          'BLOCK',
          String(blockMs),
          'STREAMS',
          this.changeLog,
          '>',
        ]);
        this.recovered();
        retryMs = RETRY_MIN_MS;
        await this.handOver(readEntries(reply));
      } catch (error) {
        if (this.stopRequested()) break;
        // The group is gone (the log was deleted, Redis lost its data): join it anew at the log's end.
        if (/NOGROUP/.test(describeError(error))) joined = false;
        this.failed(error);
        await this.stopping.pause(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
    // `stop()` may have come while the connection was still being opened: close it here too.
    await this.connection?.close();
  }

  /** Hands this consumer's own unacknowledged entries over again (XREADGROUP from `0` reads its own history). */
  private async resumeOwnEntries(): Promise<void> {
    let after = '0';
    for (;;) {
      const reply = await this.command([
        'XREADGROUP',
        'GROUP',
        this.options.group,
        this.options.consumer,
        'COUNT',
        String(this.options.batchSize),
        'STREAMS',
        this.changeLog,
        after,
      ]);
      const entries = readEntries(reply);
      if (entries.length === 0) return;
      await this.handOver(entries);
      after = entries[entries.length - 1].id;
    }
  }

  /** Takes over the entries any consumer (a dead node, or this one after a failed listener) left idle. */
  private async takeOverIdleEntries(): Promise<void> {
    let cursor = '0-0';
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const reply = await this.command([
        'XAUTOCLAIM',
        this.changeLog,
        this.options.group,
        this.options.consumer,
        String(this.options.claimIdleMs),
        cursor,
        'COUNT',
        String(this.options.batchSize),
      ]);
      // [next cursor, claimed entries, (Redis 7) ids of entries trimmed meanwhile, which it dropped from the list].
      if (!Array.isArray(reply)) return;
      await this.handOver(toConsumedEntries(reply[1]));
      const next = reply[0];
      if (typeof next !== 'string' || next === '0-0') return;
      cursor = next;
    }
  }

  /** Deletes consumers (nodes gone, with random names) that hold nothing and were not seen for long. */
  private async deleteDeadConsumers(): Promise<void> {
    const reply = await this.command(['XINFO', 'CONSUMERS', this.changeLog, this.options.group]);
    if (!Array.isArray(reply)) return;
    for (const row of reply) {
      const info = fieldMap(row);
      const name = info.get('name');
      if (typeof name !== 'string' || name === this.options.consumer) continue;
      if (Number(info.get('pending')) !== 0 || Number(info.get('idle')) < this.options.deadConsumerMs) continue;
      const connection = this.connection;
      if (!connection) return;
      await this.untilStopped(DELETE_IDLE_CONSUMER.run(connection, [this.changeLog], [this.options.group, name]));
    }
  }

  /**
   * Hands entries to the listener one at a time and acknowledges each once it resolved. Entries trimmed
   * from the log, or not written by jmap-push, are acknowledged unread. A listener that rejects leaves
   * its entry pending: it is taken over after `claimIdleMs` (by this node or another).
   */
  private async handOver(entries: readonly ConsumedEntry[]): Promise<void> {
    const acks: Array<Promise<unknown>> = [];
    for (const entry of entries) {
      if (this.stopRequested()) break;
      const change = entry.fields ? toPublishedChange({ id: entry.id, fields: entry.fields }) : undefined;
      if (change) {
        try {
          if ((await this.stopping.race(this.listener(change))) === STOPPED) break;
          this.listenerRecovered();
        } catch (error) {
          this.listenerFailed(entry.id, error);
          continue;
        }
      }
      // Not awaited one by one: acknowledgements pipeline behind each other. One that fails leaves the
      // entry to be taken over and handed over again, which merging tolerates.
      acks.push(this.command(['XACK', this.changeLog, this.options.group, entry.id]));
    }
    const results = await Promise.allSettled(acks);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure && !this.stopRequested()) throw failure.reason;
  }

  /** Sends one command on the reading connection; `stop()` interrupts the wait (throws `Stopped`). */
  private async command(args: readonly string[]): Promise<RedisReply> {
    const connection = this.connection;
    if (!connection) throw new Stopped();
    return this.untilStopped(connection.send(args));
  }

  private async untilStopped<T>(work: Promise<T>): Promise<T> {
    // A command queued while ioredis reconnects can stay pending for ever: `stop()` must not wait for it.
    const result = await this.stopping.race(work);
    if (result === STOPPED) throw new Stopped();
    return result;
  }

  /** `stopped`, read through a call: `stop()` can run during any `await` (TypeScript's narrowing does not see it). */
  private stopRequested(): boolean {
    return this.stopping.stopped;
  }

  private failed(error: unknown): void {
    // One warning per outage, not one per retry.
    if (this.readFailing) return;
    this.readFailing = true;
    this.logger.warn(`Reading the change log's consumer group failed (${describeError(error)}); retrying`);
  }

  private recovered(): void {
    if (!this.readFailing) return;
    this.readFailing = false;
    this.logger.log(`Reading the change log's consumer group again`);
  }

  private listenerFailed(id: string, error: unknown): void {
    if (this.listenerFailing) return;
    this.listenerFailing = true;
    this.logger.warn(
      `Handling change ${id} failed (${describeError(error)}); it is handed over again after ${this.options.claimIdleMs} ms`,
    );
  }

  private listenerRecovered(): void {
    this.listenerFailing = false;
  }

}

/** The entries of an XREADGROUP reply (nil after BLOCK without entries, else `[[key, entries]]`). */
function readEntries(reply: RedisReply): ConsumedEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((keyEntries) => (Array.isArray(keyEntries) ? toConsumedEntries(keyEntries[1]) : []));
}

/** Rows `[id, fields]`; `fields` is nil for an entry of a consumer's history that was trimmed since. */
function toConsumedEntries(rows: RedisReply | undefined): ConsumedEntry[] {
  if (!Array.isArray(rows)) return [];
  const entries: ConsumedEntry[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== 'string') continue;
    entries.push({ id: row[0], fields: Array.isArray(row[1]) ? row[1] : null });
  }
  return entries;
}

/** A flat field/value reply (one row of XINFO CONSUMERS) as a map. */
function fieldMap(row: RedisReply): Map<string, RedisReply> {
  const fields = new Map<string, RedisReply>();
  if (!Array.isArray(row)) return fields;
  for (let i = 0; i + 1 < row.length; i += 2) fields.set(String(row[i]), row[i + 1]);
  return fields;
}

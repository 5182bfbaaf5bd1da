import { Logger } from '@nestjs/common';
import type { TypeState } from '../state/type-state';
import { mergeTypeStates } from '../state/merge-type-states';
import { formatEventId, parseEventId } from './event-id';
import type { ChangeListener, MergedChanges, PublishedChange, PushBus } from './push-bus.interface';

/** Options of the default bus, for hosts that construct it themselves (e.g. to share it between modules). */
export interface InMemoryPushBusOptions {
  /** Changes kept for `Last-Event-ID` replay; older ids get the latest states instead. Default 10,000. */
  historySize?: number;
}

/**
 * The default bus: one process, delivery in the same event-loop turn as `publish()`.
 *
 * Ids are `<boot ms>-<seq>`, so an id from an earlier run of the process is recognised as unknown and
 * answered with the latest states rather than a wrong replay.
 */
export class InMemoryPushBus implements PushBus {
  private readonly epoch = Date.now();
  private seq = 0;
  /** Ring buffer of the newest changes; `history[seq % size]` holds change `seq`. */
  private readonly history: PublishedChange[];
  /** Latest state per account and type, updated in place (copied on the way out). */
  private readonly latest = new Map<string, Record<string, string>>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly logger = new Logger('JmapPush');

  constructor(options: InMemoryPushBusOptions = {}) {
    const size = options.historySize ?? 10_000;
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('historySize must be a positive integer');
    this.history = new Array<PublishedChange>(size);
  }

  publish(accountId: string, changed: TypeState): Promise<string> {
    const id = formatEventId(this.epoch, ++this.seq);
    const change: PublishedChange = { id, accountId, changed };
    this.history[this.seq % this.history.length] = change;
    const latest = this.latest.get(accountId);
    if (latest) Object.assign(latest, changed);
    else this.latest.set(accountId, { ...changed });
    for (const listener of this.listeners) {
      // The change is recorded: one failing listener must cost the others neither it nor the promise.
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`A push bus listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return Promise.resolve(id);
  }

  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  currentId(): string {
    return formatEventId(this.epoch, this.seq);
  }

  changesSince(lastEventId: string, accountIds: readonly string[]): MergedChanges | undefined {
    const last = parseEventId(lastEventId);
    if (!last || last.ms !== this.epoch || last.seq > this.seq) return undefined;
    const oldestKept = Math.max(1, this.seq - this.history.length + 1);
    if (last.seq + 1 < oldestKept) return undefined;
    const wanted = new Set(accountIds);
    const accounts = new Map<string, TypeState>();
    for (let seq = last.seq + 1; seq <= this.seq; seq++) {
      const change = this.history[seq % this.history.length];
      if (wanted.has(change.accountId)) {
        accounts.set(change.accountId, mergeTypeStates(accounts.get(change.accountId), change.changed));
      }
    }
    return { id: this.currentId(), accounts };
  }

  latestStates(accountIds: readonly string[]): MergedChanges {
    const accounts = new Map<string, TypeState>();
    for (const accountId of accountIds) {
      const states = this.latest.get(accountId);
      if (states) accounts.set(accountId, { ...states });
    }
    return { id: this.currentId(), accounts };
  }
}

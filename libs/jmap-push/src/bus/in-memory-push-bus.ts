import { Logger } from '@nestjs/common';
import type { TypeState } from '../state/type-state';
import { positiveIntegerOption } from '../util/positive-integer-option';
import { ChangeListeners } from './change-listeners';
import { ChangeWindow } from './change-window';
import { formatEventId } from './event-id';
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
  /** The newest `historySize` changes, for replay. */
  private readonly history: ChangeWindow;
  /** Latest state per account and type, updated in place (copied on the way out). */
  private readonly latest = new Map<string, Record<string, string>>();
  private readonly listeners = new ChangeListeners(new Logger('JmapPush'));

  constructor(options: InMemoryPushBusOptions = {}) {
    this.history = new ChangeWindow(
      positiveIntegerOption('InMemoryPushBus', 'historySize', options.historySize, 10_000),
    );
    this.history.startAfter(this.currentId());
  }

  publish(accountId: string, changed: TypeState): Promise<string> {
    const seq = ++this.seq;
    const id = formatEventId(this.epoch, seq);
    const change: PublishedChange = { id, accountId, changed };
    this.history.record(change, { ms: this.epoch, seq });
    const latest = this.latest.get(accountId);
    if (latest) Object.assign(latest, changed);
    else this.latest.set(accountId, { ...changed });
    this.listeners.notify(change);
    return Promise.resolve(id);
  }

  listen(listener: ChangeListener): () => void {
    return this.listeners.add(listener);
  }

  currentId(): string {
    return formatEventId(this.epoch, this.seq);
  }

  changesSince(lastEventId: string, accountIds: readonly string[]): MergedChanges | undefined {
    return this.history.since(lastEventId, accountIds);
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

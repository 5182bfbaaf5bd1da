import { compareEventIds, parseEventId } from '../bus/event-id';
import type { MergedChanges } from '../bus/push-bus.interface';
import type { PushMetrics } from '../metrics/push-metrics';
import type { PingScheduler, PingTarget } from '../ping/ping-scheduler';
import type { StallTarget, StallWatch } from './stall-watch';
import { filterTypeStates, mergeTypeStates } from '../state/merge-type-states';
import type { TypeState } from '../state/type-state';
import { StateEvent } from './state-event';
import type { StreamSink } from './stream-sink.interface';

/** What a stream was asked for, after validation and the ping policy. */
export interface PushStreamSpec {
  /** Whose stream it is: limits and re-checks group streams by principal. */
  readonly principalId: string;
  /** Requested types; `null` for all. */
  readonly types: ReadonlySet<string> | null;
  /** Streams with equal keys share serialised events. */
  readonly filterKey: string;
  /** Ping interval in seconds; 0 for none. */
  readonly pingSeconds: number;
  readonly closeAfterState: boolean;
  readonly reconnectDelayMs: number;
}

/** The stream's view of its surroundings. */
export interface PushStreamContext {
  readonly metrics: PushMetrics;
  readonly scheduler: PingScheduler;
  readonly stallWatch: StallWatch;
  /** Removes the stream from every index and frees its slot. */
  release(stream: PushStream): void;
}

/**
 * One open event-source connection: what the client holds (its last event id), what is pending while
 * it is not reading, and when it owes a ping. Pending changes merge (latest state per account and type
 * wins), so a slow client costs a bounded amount of memory whatever the publish rate.
 */
export class PushStream implements PingTarget, StallTarget {
  pingDueAt = Number.POSITIVE_INFINITY;
  /** The id the client holds: the last one written to it. */
  private lastId: string | undefined;
  /** `retry:` not yet sent; it rides on the first frame that carries an id. */
  private retryMs: number | undefined;
  private pending: Map<string, TypeState> | undefined;
  private pendingId: string | undefined;
  /** Live events that arrive while an asynchronous replay is read. */
  private replayBuffer: StateEvent[] | undefined;
  private closed = false;
  private pingArmed = false;
  /** A `drain` listener is registered (see `waitForDrain`). */
  private awaitingDrain = false;

  constructor(
    /** Accounts whose changes this stream may carry; narrowed when a grant is revoked. */
    public accountIds: readonly string[],
    readonly spec: PushStreamSpec,
    private readonly sink: StreamSink,
    private readonly context: PushStreamContext,
  ) {
    this.retryMs = spec.reconnectDelayMs;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A fresh stream: the client now holds `currentId` and hears of every change after it. */
  start(currentId: string): void {
    this.writeId(currentId);
  }

  /** A reconnection whose missed changes are known at once. */
  startWithReplay(replay: MergedChanges): void {
    this.mergeReplay(replay);
    if (this.pending) this.flush();
    else this.writeId(replay.id);
  }

  /** A reconnection whose missed changes are still being read: headers go out now, changes wait. */
  awaitReplay(): void {
    this.replayBuffer = [];
    this.sink.writeComment();
  }

  /** The replay arrived: merge it with live changes newer than what it covered, and send one event. */
  finishReplay(replay: MergedChanges): void {
    const buffered = this.replayBuffer ?? [];
    this.replayBuffer = undefined;
    if (this.closed) return;
    this.mergeReplay(replay);
    const coveredUpTo = parseEventId(replay.id);
    for (const event of buffered) {
      const id = parseEventId(event.id);
      if (!coveredUpTo || !id || compareEventIds(id, coveredUpTo) > 0) this.merge(event);
    }
    if (this.pending && !this.sink.backpressured) this.flush();
    else if (this.pending) this.waitForDrain();
    else this.writeId(replay.id);
  }

  /** A live change for one of this stream's accounts, already filtered to its types. */
  deliver(event: StateEvent): void {
    if (this.closed) return;
    if (this.replayBuffer) {
      this.replayBuffer.push(event);
    } else if (this.pending || this.sink.backpressured) {
      this.merge(event);
      this.context.metrics.merges++;
      this.waitForDrain();
    } else {
      this.writeState(event);
    }
  }

  sendPing(now: number): void {
    if (this.closed || this.lastId === undefined) return;
    // A client that is not reading needs no more bytes queued; its pending event will count as the ping.
    if (!this.sink.backpressured) {
      this.sink.writePing(this.lastId, this.spec.pingSeconds);
      this.context.metrics.pings++;
    }
    this.pingDueAt = now + this.spec.pingSeconds * 1000;
  }

  /** Ends the response (shutdown, `closeafter=state`) and releases everything the stream held. */
  end(): void {
    if (this.closed) return;
    this.close();
    this.sink.end();
  }

  /** Application shutdown: ends the response and closes its connection, so the server can close at once. */
  shutdown(): void {
    if (this.closed) return;
    this.close();
    this.sink.endConnection();
  }

  /** Cuts off a client that stopped reading: its socket is destroyed, not ended. */
  abort(): void {
    if (this.closed) return;
    this.close();
    this.sink.abort();
  }

  /** Releases everything the stream held; the response is already gone or being ended. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = undefined;
    this.replayBuffer = undefined;
    this.sink.dispose();
    this.context.scheduler.unschedule(this);
    this.context.stallWatch.resumed(this);
    this.context.release(this);
  }

  /** The principal's accounts changed; pending changes of accounts it lost are dropped. */
  setAccounts(accountIds: readonly string[]): void {
    this.accountIds = accountIds;
    if (!this.pending) return;
    const kept = new Set(accountIds);
    for (const accountId of this.pending.keys()) if (!kept.has(accountId)) this.pending.delete(accountId);
    if (this.pending.size === 0) this.pending = undefined;
  }

  private mergeReplay(replay: MergedChanges): void {
    for (const [accountId, states] of replay.accounts) {
      const kept = filterTypeStates(states, this.spec.types);
      if (kept) this.mergeAccount(accountId, kept, replay.id);
    }
  }

  private merge(event: StateEvent): void {
    for (const accountId in event.changed) this.mergeAccount(accountId, event.changed[accountId], event.id);
  }

  private mergeAccount(accountId: string, states: TypeState, id: string): void {
    this.pending ??= new Map();
    this.pending.set(accountId, mergeTypeStates(this.pending.get(accountId), states));
    this.pendingId = id;
  }

  private waitForDrain(): void {
    // Once per stall, not once per merged change: a stalled stream may take thousands of merges.
    if (this.awaitingDrain) return;
    this.awaitingDrain = true;
    this.context.stallWatch.stalled(this);
    this.sink.onDrain(() => {
      this.awaitingDrain = false;
      if (this.closed) return;
      if (this.sink.backpressured) this.waitForDrain();
      else this.flush();
    });
  }

  private flush(): void {
    this.context.stallWatch.resumed(this);
    const pending = this.pending;
    const id = this.pendingId;
    this.pending = undefined;
    this.pendingId = undefined;
    if (pending && id !== undefined) this.writeState(new StateEvent(id, Object.fromEntries(pending)));
  }

  private writeState(event: StateEvent): void {
    this.sink.writeState(event, this.takeRetry());
    this.lastId = event.id;
    this.context.metrics.stateEvents++;
    if (this.spec.closeAfterState) this.end();
    else this.restartPingTimer();
  }

  private writeId(id: string): void {
    this.sink.writeId(id, this.takeRetry());
    this.lastId = id;
    this.restartPingTimer();
  }

  /** RFC 8620: a ping is due `ping` seconds after the previous event, whatever it was. */
  private restartPingTimer(): void {
    if (this.spec.pingSeconds === 0) return;
    this.pingDueAt = performance.now() + this.spec.pingSeconds * 1000;
    if (!this.pingArmed) {
      this.pingArmed = true;
      this.context.scheduler.schedule(this);
    }
  }

  private takeRetry(): number | undefined {
    const retryMs = this.retryMs;
    this.retryMs = undefined;
    return retryMs;
  }
}

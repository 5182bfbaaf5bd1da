import type { MergedChanges } from '../bus/push-bus.interface';
import type { Authentication } from '../auth/authentication';
import type { Principal } from '../auth/principal.interface';
import type { PingTarget } from '../ping/ping-scheduler';
import { filterTypeStates } from '../state/merge-type-states';
import { describeError } from '../util/describe-error';
import { atDeadline } from './deadline';
import type { EndReason } from './end-reason';
import { PendingChanges } from './pending-changes';
import type { PushSink } from './push-sink.interface';
import { readMissedChanges } from './replay';
import { ReplayGate } from './replay-gate';
import { StateEvent } from './state-event';
import type { SubscriptionContext } from './subscription-context';
import type { SubscriptionSpec } from './subscription-spec';

/**
 * One client's push subscription, on any channel, from admission to release. It takes its slot and
 * registers itself, replays what the client missed, receives live changes, merges them while the client
 * is not reading (latest state per account and type wins, so a slow client costs bounded memory), pings,
 * is watched for stalls, narrowed or ended by revocation and session expiry, and on any ending releases
 * everything in `end()`, exactly once. The channel supplies only the sink and says when the client left.
 */
export class Subscription implements PingTarget {
  pingDueAt = Number.POSITIVE_INFINITY;
  readonly principal: Principal;
  /** The browser session it was made with, if any (sign-out and expiry end it). */
  readonly session: Authentication['session'];
  /** What the client asked for when it last opened. */
  spec: SubscriptionSpec = { types: null, pingSeconds: 0, closeAfterState: false };
  /** Subscriptions with equal keys share serialised events. */
  filterKey = '*';
  /** Accounts whose changes this subscription may carry; narrowed when a grant is revoked. */
  accountIds: readonly string[];
  private sink: PushSink | undefined;
  /** The id the client holds: the last one written to it. */
  private lastId: string | undefined;
  /** Made when a change first has to wait for the client: most subscriptions never need one. */
  private pending: PendingChanges | undefined;
  /** Made at the first replay: live changes only need ordering around one. */
  private gate: ReplayGate | undefined;
  private ended: EndReason | undefined;
  private pingArmed = false;
  private awaitingDrain = false;
  private cancelExpiry: (() => void) | undefined;

  /** Takes a slot (or throws the 429 / shutting-down problem) and joins its principal's group. */
  constructor(
    authentication: Authentication,
    private readonly context: SubscriptionContext,
  ) {
    context.admission.admit(authentication.principal);
    this.principal = authentication.principal;
    this.session = authentication.session;
    this.accountIds = [...new Set(authentication.principal.accountIds)];
    context.index.add(this);
    context.metrics.openStreams++;
    context.metrics.streamsOpened++;
    const expiresAt = authentication.session?.expiresAt;
    if (expiresAt !== undefined) {
      this.cancelExpiry = atDeadline(expiresAt, () => {
        this.end('expired');
      });
    }
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  /**
   * The channel is ready: from now on changes of `spec.types` flow to `sink`. With `since` (an event id the
   * client holds), the changes it missed come first, merged; an id the bus cannot place gets the latest
   * states. Opening again (a WebSocket's second push enable) replaces what the first asked for.
   */
  open(sink: PushSink, since: string | undefined, spec: SubscriptionSpec): void {
    if (this.ended) {
      sink.close(this.ended);
      return;
    }
    this.pause();
    this.sink = sink;
    this.spec = spec;
    this.filterKey = spec.types ? [...spec.types].sort().join(',') : '*';
    this.context.index.listen(this);
    if (since === undefined) {
      this.writeOpen(this.context.bus.currentId());
      return;
    }
    this.context.metrics.replays++;
    const replay = readMissedChanges(this.context.bus, since, this.accountIds);
    if (!(replay instanceof Promise)) {
      this.finishReplay(replay);
      return;
    }
    const ticket = this.replayGate().hold();
    sink.writeWaiting();
    replay.then(
      (changes) => {
        if (this.gate?.isCurrent(ticket) === true) this.finishReplay(changes);
      },
      (error: unknown) => {
        if (this.gate?.isCurrent(ticket) !== true) return;
        // The client reconnects and asks again; an error frame would only confuse it.
        this.context.logger.warn(`Replay failed: ${describeError(error)}`);
        this.end('replayFailed');
      },
    );
  }

  /**
   * Stops the flow of changes (a WebSocket's push disable) but keeps the slot and the principal: the
   * channel may open again. Pending and buffered changes are dropped; the sink is kept by its channel.
   */
  pause(): void {
    this.gate?.clear();
    if (!this.sink) return;
    this.context.index.unlisten(this);
    this.context.scheduler.unschedule(this);
    this.context.stallWatch.resumed(this);
    this.pingArmed = false;
    this.awaitingDrain = false;
    this.pending = undefined;
    this.sink = undefined;
  }

  /** A live change for one of this subscription's accounts, already filtered to its types. */
  deliver(event: StateEvent): void {
    if (!this.ended && (this.gate === undefined || this.gate.admit(event))) this.send(event);
  }

  sendPing(now: number): void {
    if (this.ended || this.lastId === undefined || !this.sink) return;
    // A client that is not reading needs no more bytes queued: it is being watched for a stall already.
    if (!this.sink.backpressured) {
      this.sink.writePing(this.lastId, this.spec.pingSeconds);
      this.context.metrics.pings++;
      // A ping can be the write that fills the connection, with nothing published after it.
      this.waitForDrain();
    }
    this.pingDueAt = now + this.spec.pingSeconds * 1000;
  }

  progress(): number {
    return this.sink?.progress ?? 0;
  }

  /** The principal as the directory vouches for it now: changes of accounts it lost stop at once. */
  narrow(principal: Principal): void {
    const accountIds = [...new Set(principal.accountIds)];
    this.context.index.moveAccounts(this, accountIds);
    this.accountIds = accountIds;
    this.pending?.restrictTo(accountIds);
  }

  /** Ends the subscription for `reason` and releases everything it held. Idempotent: the first reason wins. */
  end(reason: EndReason): void {
    if (this.ended) return;
    this.ended = reason;
    this.pending = undefined;
    this.gate?.clear();
    this.cancelExpiry?.();
    this.context.scheduler.unschedule(this);
    this.context.stallWatch.resumed(this);
    this.context.index.remove(this);
    this.context.admission.release(this.principal.id);
    this.context.metrics.openStreams--;
    this.sink?.close(reason);
    this.sink = undefined;
  }

  private finishReplay(replay: MergedChanges): void {
    if (this.ended) return;
    const newer = this.replayGate().release(replay.id);
    for (const [accountId, states] of replay.accounts) {
      const kept = filterTypeStates(states, this.spec.types);
      if (kept) this.pendingChanges().add(accountId, kept, replay.id);
    }
    for (const event of newer) this.pendingChanges().addEvent(event);
    if (this.pending?.isEmpty !== false) this.writeOpen(replay.id);
    else if (this.sink?.backpressured === true) this.waitForDrain();
    else this.flush();
  }

  private send(event: StateEvent): void {
    if (this.pending?.isEmpty === false || this.sink?.backpressured === true) {
      this.pendingChanges().addEvent(event);
      this.context.metrics.merges++;
      this.waitForDrain();
    } else {
      this.writeState(event);
    }
  }

  /** If the client is not taking what was written: stalled from now on, cut off if it takes too long. */
  private waitForDrain(): void {
    // Once per stall, not once per merged change: a stalled client may take thousands of merges.
    if (this.awaitingDrain || this.sink?.backpressured !== true) return;
    this.awaitingDrain = true;
    this.context.stallWatch.stalled(this);
    this.sink.onDrain(() => {
      this.awaitingDrain = false;
      if (this.ended) return;
      if (this.sink?.backpressured === true) this.waitForDrain();
      else this.flush();
    });
  }

  private flush(): void {
    this.context.stallWatch.resumed(this);
    const event = this.pending?.take();
    // Emptied: what it held is written, and the next stall starts afresh.
    this.pending = undefined;
    if (event) this.writeState(event);
  }

  private pendingChanges(): PendingChanges {
    return (this.pending ??= new PendingChanges(this.accountIds));
  }

  private replayGate(): ReplayGate {
    return (this.gate ??= new ReplayGate());
  }

  private writeState(event: StateEvent): void {
    this.sink?.writeState(event);
    this.lastId = event.id;
    this.context.metrics.stateEvents++;
    if (this.spec.closeAfterState) this.end('closeAfterState');
    else this.wrote();
  }

  private writeOpen(id: string): void {
    this.sink?.writeOpen(id);
    this.lastId = id;
    this.wrote();
  }

  /** After every write: a write the client leaves unread starts the stall clock, even with nothing after it. */
  private wrote(): void {
    this.waitForDrain();
    this.restartPingTimer();
  }

  /** RFC 8620 section 7.3: a ping is due `ping` seconds after the previous event, whatever it was. */
  private restartPingTimer(): void {
    if (this.spec.pingSeconds === 0) return;
    this.pingDueAt = performance.now() + this.spec.pingSeconds * 1000;
    if (!this.pingArmed) {
      this.pingArmed = true;
      this.context.scheduler.schedule(this);
    }
  }
}

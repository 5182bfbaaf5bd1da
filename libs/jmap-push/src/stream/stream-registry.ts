import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { PushBus, type MergedChanges, type PublishedChange } from '../bus/push-bus.interface';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { PingPolicy } from '../ping/ping-policy.interface';
import { PingScheduler } from '../ping/ping-scheduler';
import type { PushSettings } from '../push-settings';
import type { Principal } from '../auth/principal.interface';
import type { EventSourceQuery } from '../query/event-source-query.dto';
import { filterTypeStates } from '../state/merge-type-states';
import { PushStream, type PushStreamContext } from './push-stream';
import { StallWatch } from './stall-watch';
import { StateEvent } from './state-event';
import { StreamAdmission, type StreamSlot } from './stream-admission';
import type { StreamSink } from './stream-sink.interface';

/** `Last-Event-ID` values longer than this are treated as unknown without parsing. */
const MAX_LAST_EVENT_ID_LENGTH = 64;

/**
 * Every open stream of this process, indexed by account id, and the fan-out of the bus's changes to
 * them: a change reaches exactly the streams of its account, and is serialised once per type filter.
 */
@Injectable()
export class StreamRegistry implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('JmapPush');
  private readonly byAccount = new Map<string, Set<PushStream>>();
  private readonly streams = new Set<PushStream>();
  /** Open streams grouped by principal, with the principal as last vouched for. */
  private readonly byPrincipal = new Map<string, { principal: Principal; streams: Set<PushStream> }>();
  private readonly slots = new Map<PushStream, StreamSlot>();
  private readonly context: PushStreamContext;
  private stopListening: (() => void) | undefined;

  constructor(
    @Inject(PushBus) private readonly bus: PushBus,
    @Inject(PingPolicy) private readonly pingPolicy: PingPolicy,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly admission: StreamAdmission,
    private readonly metrics: PushMetrics,
    scheduler: PingScheduler,
    stallWatch: StallWatch,
  ) {
    this.context = {
      metrics,
      scheduler,
      stallWatch,
      release: (stream) => {
        this.release(stream);
      },
    };
  }

  async onModuleInit(): Promise<void> {
    this.stopListening = this.bus.listen((change) => {
      this.deliver(change);
    });
    await this.bus.ready?.();
  }

  /** Closing begins: refuse new streams and end every open one, so the HTTP server can close. */
  onModuleDestroy(): void {
    this.admission.close();
    for (const stream of [...this.streams]) stream.shutdown();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    await this.bus.close?.();
  }

  /** Open streams now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream for an admitted principal. With `Last-Event-ID`, the missed changes of its accounts
   * and types come first, merged into one event; an id the bus cannot place gets the latest states.
   */
  open(
    principal: Principal,
    query: EventSourceQuery,
    lastEventId: string | undefined,
    sink: StreamSink,
    slot: StreamSlot,
  ): PushStream {
    const accountIds = [...new Set(principal.accountIds)];
    const stream = new PushStream(
      accountIds,
      {
        principalId: principal.id,
        types: query.types,
        filterKey: query.types ? [...query.types].sort().join(',') : '*',
        pingSeconds: this.pingPolicy.intervalFor(query.ping),
        closeAfterState: query.closeAfterState,
        reconnectDelayMs: this.settings.reconnectDelayMs,
      },
      sink,
      this.context,
    );
    this.streams.add(stream);
    this.slots.set(stream, slot);
    this.index(stream, accountIds);
    const group = this.byPrincipal.get(principal.id);
    if (group) group.streams.add(stream);
    else this.byPrincipal.set(principal.id, { principal, streams: new Set([stream]) });
    this.metrics.openStreams++;
    this.metrics.streamsOpened++;

    if (!lastEventId) {
      stream.start(this.bus.currentId());
      return stream;
    }
    this.metrics.replays++;
    const replay = this.replay(lastEventId, accountIds);
    if (!(replay instanceof Promise)) {
      stream.startWithReplay(replay);
      return stream;
    }
    stream.awaitReplay();
    replay.then(
      (changes) => {
        stream.finishReplay(changes);
      },
      (error: unknown) => {
        // The client reconnects and asks again; an error frame would only confuse it.
        this.logger.warn(`Last-Event-ID replay failed: ${error instanceof Error ? error.message : String(error)}`);
        stream.end();
      },
    );
    return stream;
  }

  /** Fans one change out to the streams of its account. Called by the bus, once per change. */
  deliver(change: PublishedChange): void {
    const streams = this.byAccount.get(change.accountId);
    if (!streams) return;
    // One serialisation per type filter. Streams of one account mostly share a filter, so the last one
    // used is checked first; a Map is made only when a second filter shows up.
    let lastKey: string | undefined;
    let lastEvent: StateEvent | null = null;
    let events: Map<string, StateEvent | null> | undefined;
    for (const stream of streams) {
      const key = stream.spec.filterKey;
      if (key !== lastKey) {
        if (lastKey !== undefined) (events ??= new Map()).set(lastKey, lastEvent);
        let found = events?.get(key);
        if (found === undefined) {
          const kept = filterTypeStates(change.changed, stream.spec.types);
          found = kept ? new StateEvent(change.id, { [change.accountId]: kept }) : null;
        }
        lastKey = key;
        lastEvent = found;
      }
      const event = lastEvent;
      if (event === null) continue;
      try {
        stream.deliver(event);
      } catch (error) {
        // One broken connection must not cost the others their events.
        this.logger.warn(`A stream failed and was closed: ${error instanceof Error ? error.message : String(error)}`);
        // abort(), not close(): close() released the stream but left its response open, a connection
        // with nothing behind it that the client never left (no events, no pings, no reconnect).
        // Destroying it makes the client reconnect with its Last-Event-ID.
        stream.abort();
      }
    }
  }

  /** The principals with open streams, as last vouched for (for `PrincipalRevalidator`). */
  principals(): Principal[] {
    return [...this.byPrincipal.values()].map((group) => group.principal);
  }

  /**
   * Applies a re-check of a principal to its open streams: `null` ends them; otherwise each stream now
   * carries exactly the accounts the principal may read, so a revoked grant stops flowing at once.
   */
  updatePrincipal(principalId: string, fresh: Principal | null): void {
    const group = this.byPrincipal.get(principalId);
    if (!group) return;
    if (!fresh) {
      for (const stream of [...group.streams]) stream.end();
      return;
    }
    group.principal = fresh;
    const accountIds = [...new Set(fresh.accountIds)];
    for (const stream of group.streams) {
      this.unindex(stream, stream.accountIds);
      stream.setAccounts(accountIds);
      this.index(stream, accountIds);
    }
  }

  private index(stream: PushStream, accountIds: readonly string[]): void {
    for (const accountId of accountIds) {
      let streams = this.byAccount.get(accountId);
      if (!streams) this.byAccount.set(accountId, (streams = new Set()));
      streams.add(stream);
    }
  }

  private unindex(stream: PushStream, accountIds: readonly string[]): void {
    for (const accountId of accountIds) {
      const streams = this.byAccount.get(accountId);
      streams?.delete(stream);
      if (streams?.size === 0) this.byAccount.delete(accountId);
    }
  }

  private replay(lastEventId: string, accountIds: readonly string[]): MergedChanges | Promise<MergedChanges> {
    try {
      const since =
        lastEventId.length <= MAX_LAST_EVENT_ID_LENGTH ? this.bus.changesSince(lastEventId, accountIds) : undefined;
      if (since instanceof Promise) {
        return since.then((changes) => changes ?? this.bus.latestStates(accountIds));
      }
      return since ?? this.bus.latestStates(accountIds);
    } catch (error) {
      // A bus that throws instead of rejecting takes the same path as a rejection: the stream ends
      // cleanly. Thrown out of open(), it left the stream registered with its slot held (a leak), and on
      // the `sse` transport it became a 500 (or an `event: error` once headers were out).
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what the host's bus threw, unchanged, as its own rejection would be
      return Promise.reject(error);
    }
  }

  private release(stream: PushStream): void {
    if (!this.streams.delete(stream)) return;
    this.metrics.openStreams--;
    this.slots.get(stream)?.release();
    this.slots.delete(stream);
    this.unindex(stream, stream.accountIds);
    const group = this.byPrincipal.get(stream.spec.principalId);
    group?.streams.delete(stream);
    if (group?.streams.size === 0) this.byPrincipal.delete(stream.spec.principalId);
  }
}

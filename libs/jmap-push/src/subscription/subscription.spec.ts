import { Logger } from '@nestjs/common';
import type { MergedChanges, PushBus } from '../bus/push-bus.interface';
import type { Authentication } from '../auth/authentication';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import { PingScheduler } from '../ping/ping-scheduler';
import type { PushSettings } from '../push-settings';
import type { EndReason } from './end-reason';
import type { PushSink } from './push-sink.interface';
import { StallWatch } from './stall-watch';
import { StateEvent } from './state-event';
import { Subscription } from './subscription';
import type { SubscriptionSpec } from './subscription-spec';
import { SubscriptionAdmission } from './subscription-admission';
import type { SubscriptionContext } from './subscription-context';
import { SubscriptionIndex } from './subscription-index';

/** A sink that records frames and lets the test play a client that stops and resumes reading. */
class FakeSink implements PushSink {
  readonly frames: string[] = [];
  readonly closed: EndReason[] = [];
  backpressured = false;
  progress = 0;
  /** Each state write fills the connection, as one write larger than the socket's buffers does. */
  fillsUpOnWrite = false;
  private drain: (() => void) | undefined;
  writeState(event: StateEvent): void {
    this.frames.push(`state ${event.id} ${JSON.stringify(event.changed)}`);
    if (this.fillsUpOnWrite) this.backpressured = true;
  }
  writeOpen(id: string): void {
    this.frames.push(`open ${id}`);
  }
  writePing(id: string, intervalSeconds: number): void {
    this.frames.push(`ping ${id} ${intervalSeconds}`);
    if (this.fillsUpOnWrite) this.backpressured = true;
  }
  writeWaiting(): void {
    this.frames.push('waiting');
  }
  onDrain(listener: () => void): void {
    this.drain = listener;
  }
  /** The client read everything. */
  drained(): void {
    this.backpressured = false;
    const drain = this.drain;
    this.drain = undefined;
    drain?.();
  }
  close(reason: EndReason): void {
    this.closed.push(reason);
    this.drain = undefined;
  }
}

/** A bus whose replay the test answers, at once or later. */
function fakeBus(): PushBus & { answer(changes: MergedChanges | Error): void; replay: 'sync' | 'async' } {
  let pending: { resolve(c: MergedChanges): void; reject(e: Error): void } | undefined;
  let syncAnswer: MergedChanges = { id: '1-0', accounts: new Map() };
  const bus = {
    replay: 'sync' as 'sync' | 'async',
    publish: () => Promise.resolve('1-1'),
    listen: () => () => undefined,
    currentId: () => '1-0',
    changesSince: () =>
      bus.replay === 'sync'
        ? syncAnswer
        : new Promise<MergedChanges>((resolve, reject) => {
            pending = { resolve, reject };
          }),
    latestStates: () => ({ id: '1-0', accounts: new Map() }),
    answer(changes: MergedChanges | Error) {
      if (bus.replay === 'sync') {
        if (!(changes instanceof Error)) syncAnswer = changes;
        return;
      }
      if (changes instanceof Error) pending?.reject(changes);
      else pending?.resolve(changes);
    },
  };
  return bus;
}

describe('Subscription', () => {
  let sink: FakeSink;
  let bus: ReturnType<typeof fakeBus>;
  let context: SubscriptionContext;
  const ALICE: Authentication = { principal: { id: 'alice', accountIds: ['a', 'b'] } };

  let spec: SubscriptionSpec;
  const subscribe = (asked: Partial<SubscriptionSpec> = {}, authentication = ALICE) => {
    spec = { types: null, pingSeconds: 0, closeAfterState: false, ...asked };
    return new Subscription(authentication, context);
  };
  const event = (seq: number, changed: Record<string, Record<string, string>>) => new StateEvent(`1-${seq}`, changed);
  const flushPromises = () =>
    new Promise<void>((resolve) => jest.requireActual<typeof import('timers')>('timers').setImmediate(resolve));
  /** Everything the module holds for subscriptions: all zero once every one has ended. */
  const held = () => ({
    slots: context.admission.held,
    subscriptions: context.index.all.size,
    accounts: context.index.byAccount.size,
    principals: context.index.byPrincipal.size,
    sessions: context.index.bySession.size,
    pings: context.scheduler.size,
    stalled: context.stallWatch.size,
    open: context.metrics.openStreams,
  });
  const NOTHING = {
    slots: 0,
    subscriptions: 0,
    accounts: 0,
    principals: 0,
    sessions: 0,
    pings: 0,
    stalled: 0,
    open: 0,
  };

  beforeEach(() => {
    jest.useFakeTimers();
    sink = new FakeSink();
    bus = fakeBus();
    const settings = {
      stalledStreamTimeoutMs: 60_000,
      maxStreams: 10,
      maxStreamsPerPrincipal: 10,
      retryAfterSeconds: 5,
    } as PushSettings;
    const metrics = new PushMetrics();
    context = {
      admission: new SubscriptionAdmission(settings, metrics),
      index: new SubscriptionIndex(),
      bus,
      scheduler: new PingScheduler(),
      stallWatch: new StallWatch(settings),
      metrics,
      logger: new Logger('test'),
    };
    jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    context.scheduler.onModuleDestroy();
    context.stallWatch.onModuleDestroy();
    jest.useRealTimers();
  });

  it('opens with the current id and then sends each change', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    s.deliver(event(1, { a: { Email: 'e1' } }));
    expect(sink.frames).toEqual(['open 1-0', 'state 1-1 {"a":{"Email":"e1"}}']);
  });

  it('merges changes while the client is not reading, and sends the latest once it reads', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    sink.backpressured = true;
    s.deliver(event(1, { a: { Email: 'e1', Mailbox: 'm1' } }));
    s.deliver(event(2, { b: { Email: 'x' } }));
    s.deliver(event(3, { a: { Email: 'e3' } }));
    expect(sink.frames).toHaveLength(1);
    expect(context.metrics.merges).toBe(3);
    expect(context.stallWatch.size).toBe(1);
    sink.drained();
    expect(sink.frames.slice(1)).toEqual(['state 1-3 {"a":{"Email":"e3","Mailbox":"m1"},"b":{"Email":"x"}}']);
    expect(context.stallWatch.size).toBe(0);
  });

  it('keeps merging while the client has not caught up after a drain', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    sink.backpressured = true;
    s.deliver(event(1, { a: { Email: 'e1' } }));
    sink.drained();
    sink.backpressured = true;
    s.deliver(event(2, { a: { Email: 'e2' } }));
    s.deliver(event(3, { a: { Thread: 't3' } }));
    sink.drained();
    expect(sink.frames.slice(1)).toEqual([
      'state 1-1 {"a":{"Email":"e1"}}',
      'state 1-3 {"a":{"Email":"e2","Thread":"t3"}}',
    ]);
  });

  it('cuts off a client that leaves one write unread, with nothing published after it', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    // The write itself fills the connection; nothing merges after it, so only the write can start the clock.
    sink.fillsUpOnWrite = true;
    s.deliver(event(1, { a: { Email: 'one big write' } }));
    expect(context.stallWatch.size).toBe(1);
    jest.advanceTimersByTime(59_000);
    expect(sink.closed).toEqual([]);
    jest.advanceTimersByTime(16_000);
    expect(sink.closed).toEqual(['stalled']);
    expect(held()).toEqual(NOTHING);
  });

  it('cuts off a client whose connection a ping filled, with nothing published after it', () => {
    const s = subscribe({ pingSeconds: 1 });
    s.open(sink, undefined, spec);
    sink.fillsUpOnWrite = true;
    jest.advanceTimersByTime(1_300);
    expect(sink.frames).toEqual(['open 1-0', 'ping 1-0 1']);
    expect(context.stallWatch.size).toBe(1);
    jest.advanceTimersByTime(75_000);
    expect(sink.closed).toEqual(['stalled']);
    expect(held()).toEqual(NOTHING);
  });

  it('is not cut off while the client keeps taking bytes, however slowly', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    sink.fillsUpOnWrite = true;
    s.deliver(event(1, { a: { Email: 'a large write' } }));
    for (let second = 0; second < 180; second++) {
      sink.progress += 100;
      jest.advanceTimersByTime(1_000);
    }
    expect(sink.closed).toEqual([]);
    jest.advanceTimersByTime(75_000);
    expect(sink.closed).toEqual(['stalled']);
  });

  it('is not watched once the client read a write that filled its connection', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    sink.fillsUpOnWrite = true;
    s.deliver(event(1, { a: { Email: 'big' } }));
    sink.fillsUpOnWrite = false;
    sink.drained();
    expect(context.stallWatch.size).toBe(0);
    jest.advanceTimersByTime(120_000);
    expect(sink.closed).toEqual([]);
  });

  it('pings with the interval in use and the id the client holds', () => {
    const s = subscribe({ pingSeconds: 300 });
    s.open(sink, undefined, spec);
    s.deliver(event(1, { a: { Email: 'e1' } }));
    jest.advanceTimersByTime(299_000);
    expect(sink.frames).toHaveLength(2);
    jest.advanceTimersByTime(1_300);
    expect(sink.frames[2]).toBe('ping 1-1 300');
    expect(context.metrics.pings).toBe(1);
  });

  it('skips pings while the client is not reading (the pending change will do)', () => {
    const s = subscribe({ pingSeconds: 1 });
    s.open(sink, undefined, spec);
    sink.backpressured = true;
    jest.advanceTimersByTime(3_000);
    expect(sink.frames).toEqual(['open 1-0']);
  });

  it('with closeAfterState, ends after the first state change and sends nothing more', () => {
    const s = subscribe({ closeAfterState: true, pingSeconds: 1 });
    s.open(sink, undefined, spec);
    s.deliver(event(1, { a: { Email: 'e1' } }));
    s.deliver(event(2, { a: { Email: 'e2' } }));
    jest.advanceTimersByTime(3_000);
    expect(sink.frames).toEqual(['open 1-0', 'state 1-1 {"a":{"Email":"e1"}}']);
    expect(sink.closed).toEqual(['closeAfterState']);
    expect(held()).toEqual(NOTHING);
  });

  it('merges an asynchronous replay with live changes it did not cover, into one event', async () => {
    bus.replay = 'async';
    const s = subscribe();
    s.open(sink, '1-2', spec);
    s.deliver(event(5, { a: { Email: 'old' } }));
    s.deliver(event(7, { b: { Mailbox: 'live' } }));
    bus.answer({ id: '1-6', accounts: new Map([['a', { Email: 'e6' }]]) });
    await flushPromises();
    expect(sink.frames).toEqual(['waiting', 'state 1-7 {"a":{"Email":"e6"},"b":{"Mailbox":"live"}}']);
  });

  it('never sends an id below the replayed one: a lagging bus delivers changes the replay covered', () => {
    bus.answer({ id: '1-9', accounts: new Map([['a', { Email: 'e9' }]]) });
    const s = subscribe();
    s.open(sink, '1-2', spec);
    s.deliver(event(8, { a: { Email: 'e8' } }));
    s.deliver(event(9, { a: { Email: 'e9' } }));
    s.deliver(event(10, { a: { Email: 'e10' } }));
    expect(sink.frames).toEqual(['state 1-9 {"a":{"Email":"e9"}}', 'state 1-10 {"a":{"Email":"e10"}}']);
  });

  it('drops a replayed account whose grant was revoked while the replay was read', async () => {
    bus.replay = 'async';
    const s = subscribe();
    s.open(sink, '1-2', spec);
    s.deliver(event(3, { b: { Email: 'live-b' } }));
    s.narrow({ id: 'alice', accountIds: ['a'] });
    bus.answer({
      id: '1-3',
      accounts: new Map([
        ['a', { Email: 'ea' }],
        ['b', { Email: 'eb' }],
      ]),
    });
    s.deliver(event(4, { b: { Email: 'later-b' } }));
    await flushPromises();
    expect(sink.frames).toEqual(['waiting', 'state 1-3 {"a":{"Email":"ea"}}']);
  });

  it('sends only the id when a replay found nothing, and filters a replay by types', () => {
    bus.answer({ id: '1-9', accounts: new Map() });
    subscribe().open(sink, '1-1', spec);
    const filtered = new FakeSink();
    bus.answer({
      id: '1-9',
      accounts: new Map<string, Record<string, string>>([
        ['a', { Email: 'e' }],
        ['b', { Mailbox: 'm', Email: 'x' }],
      ]),
    });
    subscribe({ types: new Set(['Mailbox']) }).open(filtered, '1-1', spec);
    expect(sink.frames).toEqual(['open 1-9']);
    expect(filtered.frames).toEqual(['state 1-9 {"b":{"Mailbox":"m"}}']);
  });

  it('ends with replayFailed when the bus cannot read the replay', async () => {
    bus.replay = 'async';
    const s = subscribe();
    s.open(sink, '1-2', spec);
    bus.answer(new Error('redis down'));
    await flushPromises();
    expect(sink.closed).toEqual(['replayFailed']);
    expect(held()).toEqual(NOTHING);
  });

  it('refuses beyond the limits without holding anything', () => {
    for (let i = 0; i < 10; i++) subscribe();
    expect(() => subscribe()).toThrow(ProblemDetailsException);
    expect(context.metrics.snapshot().rejections.tooManyStreams).toBe(1);
    expect(context.admission.held).toBe(10);
  });

  it('ends when its browser session expires', () => {
    const s = subscribe({}, { ...ALICE, session: { id: 'sid', issuedAt: Date.now(), expiresAt: Date.now() + 5_000 } });
    s.open(sink, undefined, spec);
    expect(context.index.ofSession('sid')).toEqual([s]);
    jest.advanceTimersByTime(5_000);
    expect(sink.closed).toEqual(['expired']);
    expect(held()).toEqual(NOTHING);
  });

  it('pauses: no changes reach it, but it keeps its slot and can open again with other types', () => {
    const s = subscribe();
    s.open(sink, undefined, spec);
    s.pause();
    s.deliver(event(1, { a: { Email: 'while-paused' } }));
    expect(context.index.byAccount.size).toBe(0);
    expect(context.admission.held).toBe(1);
    s.open(sink, undefined, { types: new Set(['Mailbox']), pingSeconds: 0, closeAfterState: false });
    expect(s.filterKey).toBe('Mailbox');
    expect(sink.frames).toEqual(['open 1-0', 'open 1-0']);
  });

  it('drops the asynchronous replay of an earlier open when it arrives after a newer one', async () => {
    bus.replay = 'async';
    const s = subscribe();
    s.open(sink, '1-2', spec);
    bus.replay = 'sync';
    bus.answer({ id: '1-9', accounts: new Map([['a', { Email: 'from-the-new-open' }]]) });
    s.open(sink, '1-8', spec);
    bus.replay = 'async';
    bus.answer({ id: '1-3', accounts: new Map([['a', { Email: 'stale' }]]) });
    await flushPromises();
    expect(sink.frames).toEqual(['waiting', 'state 1-9 {"a":{"Email":"from-the-new-open"}}']);
  });

  // Every ending releases everything exactly once, whatever state the subscription is in.
  const interleavings: [string, (s: Subscription, sink: FakeSink) => void | Promise<void>][] = [
    [
      'ends before its channel opened (shutdown during connect)',
      (s) => {
        s.end('shutdown');
        s.open(sink, undefined, spec);
      },
    ],
    [
      'ends during an asynchronous replay',
      async (s, sink) => {
        bus.replay = 'async';
        s.open(sink, '1-2', spec);
        s.end('clientLeft');
        bus.answer({ id: '1-3', accounts: new Map([['a', { Email: 'e' }]]) });
        await flushPromises();
      },
    ],
    [
      'is revoked while backpressured',
      (s, sink) => {
        s.open(sink, undefined, spec);
        sink.backpressured = true;
        s.deliver(event(1, { a: { Email: 'e1' } }));
        s.end('revoked');
        sink.drained();
      },
    ],
    [
      'is ended twice with different reasons',
      (s, sink) => {
        s.open(sink, undefined, spec);
        s.end('stalled');
        s.end('clientLeft');
      },
    ],
    [
      'is ended from within its own write (closeafter=state while backpressured)',
      (s, sink) => {
        s.open(sink, undefined, spec);
        sink.backpressured = true;
        s.deliver(event(1, { a: { Email: 'e1' } }));
        sink.drained();
        s.end('shutdown');
      },
    ],
  ];
  it.each(interleavings)('releases everything exactly once when it %s', async (_name, play) => {
    const s = subscribe(
      { pingSeconds: 5, closeAfterState: _name.includes('closeafter') },
      { ...ALICE, session: { id: 'sid', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 } },
    );
    await play(s, sink);
    expect(s.isEnded).toBe(true);
    expect(held()).toEqual(NOTHING);
    expect(sink.closed.length).toBeLessThanOrEqual(1);
    s.deliver(event(9, { a: { Email: 'after' } }));
    jest.advanceTimersByTime(120_000);
    expect(sink.frames.filter((frame) => frame.includes('after') || frame.startsWith('ping'))).toEqual([]);
    expect(held()).toEqual(NOTHING);
  });
});

import { PushMetrics } from '../metrics/push-metrics';
import { PingScheduler } from '../ping/ping-scheduler';
import type { PushSettings } from '../push-settings';
import { PushStream, type PushStreamSpec } from './push-stream';
import { StallWatch } from './stall-watch';
import { StateEvent } from './state-event';
import type { StreamSink } from './stream-sink.interface';

/** A sink that records frames and lets the test play a client that stops and resumes reading. */
class FakeSink implements StreamSink {
  readonly frames: string[] = [];
  backpressured = false;
  ended = 0;
  private drain: (() => void) | undefined;
  writeState(event: StateEvent, retryMs?: number): void {
    this.frames.push(`state ${event.id}${retryMs ? ` retry ${retryMs}` : ''} ${JSON.stringify(event.changed)}`);
  }
  writeId(id: string, retryMs?: number): void {
    this.frames.push(`id ${id}${retryMs ? ` retry ${retryMs}` : ''}`);
  }
  writePing(id: string, intervalSeconds: number): void {
    this.frames.push(`ping ${id} ${intervalSeconds}`);
  }
  writeComment(): void {
    this.frames.push('comment');
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
  end(): void {
    this.ended++;
  }
  abort(): void {
    this.ended++;
  }
  endConnection(): void {
    this.ended++;
  }
  dispose(): void {
    this.drain = undefined;
  }
}

describe('PushStream', () => {
  let sink: FakeSink;
  let metrics: PushMetrics;
  let scheduler: PingScheduler;
  let stallWatch: StallWatch;
  let released: number;

  const stream = (spec: Partial<PushStreamSpec> = {}) =>
    new PushStream(
      ['a', 'b'],
      {
        principalId: 'p',
        types: null,
        filterKey: '*',
        pingSeconds: 0,
        closeAfterState: false,
        reconnectDelayMs: 2000,
        ...spec,
      },
      sink,
      { metrics, scheduler, stallWatch, release: () => released++ },
    );
  const event = (seq: number, changed: Record<string, Record<string, string>>) => new StateEvent(`1-${seq}`, changed);

  beforeEach(() => {
    jest.useFakeTimers();
    sink = new FakeSink();
    metrics = new PushMetrics();
    scheduler = new PingScheduler();
    stallWatch = new StallWatch({
      stalledStreamTimeoutMs: 60_000,
    } as PushSettings);
    released = 0;
  });
  afterEach(() => {
    scheduler.onModuleDestroy();
    stallWatch.onModuleDestroy();
    jest.useRealTimers();
  });

  it('opens with the current id and retry; later frames carry no retry', () => {
    const s = stream();
    s.start('1-0');
    s.deliver(event(1, { a: { Email: 'e1' } }));
    expect(sink.frames).toEqual(['id 1-0 retry 2000', 'state 1-1 {"a":{"Email":"e1"}}']);
  });

  it('merges changes while the client is not reading, and sends the latest once it reads', () => {
    const s = stream();
    s.start('1-0');
    sink.backpressured = true;
    s.deliver(event(1, { a: { Email: 'e1', Mailbox: 'm1' } }));
    s.deliver(event(2, { b: { Email: 'x' } }));
    s.deliver(event(3, { a: { Email: 'e3' } }));
    expect(sink.frames).toHaveLength(1);
    expect(metrics.merges).toBe(3);
    expect(stallWatch.size).toBe(1);
    sink.drained();
    expect(sink.frames.slice(1)).toEqual(['state 1-3 {"a":{"Email":"e3","Mailbox":"m1"},"b":{"Email":"x"}}']);
    expect(stallWatch.size).toBe(0);
  });

  it('keeps merging while the client has not caught up after a drain', () => {
    const s = stream();
    s.start('1-0');
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

  it('pings with the interval in use (clamped to 300 s) and the id the client holds', () => {
    const s = stream({ pingSeconds: 300 });
    s.start('1-0');
    s.deliver(event(1, { a: { Email: 'e1' } }));
    jest.advanceTimersByTime(299_000);
    expect(sink.frames).toHaveLength(2);
    jest.advanceTimersByTime(1_300);
    expect(sink.frames[2]).toBe('ping 1-1 300');
    expect(metrics.pings).toBe(1);
  });

  it('skips pings while the client is not reading (the pending event will do)', () => {
    const s = stream({ pingSeconds: 1 });
    s.start('1-0');
    sink.backpressured = true;
    jest.advanceTimersByTime(3_000);
    expect(sink.frames).toEqual(['id 1-0 retry 2000']);
  });

  it('with closeAfterState, ends after the first state event and sends nothing more', () => {
    const s = stream({ closeAfterState: true, pingSeconds: 1 });
    s.start('1-0');
    s.deliver(event(1, { a: { Email: 'e1' } }));
    s.deliver(event(2, { a: { Email: 'e2' } }));
    jest.advanceTimersByTime(3_000);
    expect(sink.frames).toEqual(['id 1-0 retry 2000', 'state 1-1 {"a":{"Email":"e1"}}']);
    expect(sink.ended).toBe(1);
    expect(released).toBe(1);
    expect(scheduler.size).toBe(0);
  });

  it('merges an asynchronous replay with live changes it did not cover, into one event', () => {
    const s = stream();
    s.awaitReplay();
    s.deliver(event(5, { a: { Email: 'old' } }));
    s.deliver(event(7, { b: { Mailbox: 'live' } }));
    s.finishReplay({ id: '1-6', accounts: new Map([['a', { Email: 'e6' }]]) });
    expect(sink.frames).toEqual(['comment', 'state 1-7 retry 2000 {"a":{"Email":"e6"},"b":{"Mailbox":"live"}}']);
  });

  it('sends only the id when a replay found nothing', () => {
    const s = stream();
    s.startWithReplay({ id: '1-9', accounts: new Map() });
    expect(sink.frames).toEqual(['id 1-9 retry 2000']);
  });

  it('filters a replay by the requested types', () => {
    const s = stream({ types: new Set(['Mailbox']), filterKey: 'Mailbox' });
    s.startWithReplay({
      id: '1-9',
      accounts: new Map<string, Record<string, string>>([
        ['a', { Email: 'e' }],
        ['b', { Mailbox: 'm', Email: 'x' }],
      ]),
    });
    expect(sink.frames).toEqual(['state 1-9 retry 2000 {"b":{"Mailbox":"m"}}']);
  });

  it('releases everything once, however often it is closed', () => {
    const s = stream({ pingSeconds: 5 });
    s.start('1-0');
    sink.backpressured = true;
    s.deliver(event(1, { a: { Email: 'e1' } }));
    expect(scheduler.size).toBe(1);
    s.close();
    s.end();
    s.close();
    s.deliver(event(2, { a: { Email: 'e2' } }));
    sink.drained();
    expect(released).toBe(1);
    expect(scheduler.size).toBe(0);
    expect(stallWatch.size).toBe(0);
    expect(sink.ended).toBe(0);
    expect(sink.frames).toHaveLength(1);
  });
});

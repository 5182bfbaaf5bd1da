import { ClampingPingPolicy } from './clamping-ping-policy';
import { PingScheduler, type PingTarget } from './ping-scheduler';

/** A stream as the scheduler sees it: due every `intervalMs` after its last event. */
class FakeStream implements PingTarget {
  pingDueAt: number;
  readonly pings: number[] = [];
  constructor(private readonly intervalMs: number) {
    this.pingDueAt = performance.now() + intervalMs;
  }
  sendPing(now: number): void {
    this.pings.push(now);
    this.pingDueAt = now + this.intervalMs;
  }
  /** Any event sent: the timer restarts. */
  touch(): void {
    this.pingDueAt = performance.now() + this.intervalMs;
  }
}

describe('PingScheduler', () => {
  let scheduler: PingScheduler;
  beforeEach(() => {
    jest.useFakeTimers();
    scheduler = new PingScheduler();
  });
  afterEach(() => {
    scheduler.onModuleDestroy();
    jest.useRealTimers();
  });

  it('pings each stream when its interval elapses, within a tick', () => {
    const stream = new FakeStream(1000);
    scheduler.schedule(stream);
    jest.advanceTimersByTime(900);
    expect(stream.pings).toHaveLength(0);
    jest.advanceTimersByTime(350);
    expect(stream.pings).toHaveLength(1);
    jest.advanceTimersByTime(1000);
    expect(stream.pings).toHaveLength(2);
  });

  it('uses one timer for every stream, not one per stream', () => {
    const setInterval = jest.spyOn(global, 'setInterval');
    const streams = Array.from({ length: 1000 }, (_, i) => new FakeStream(1000 + (i % 10) * 100));
    for (const stream of streams) scheduler.schedule(stream);
    expect(setInterval).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(2500);
    expect(streams.every((s) => s.pings.length >= 1)).toBe(true);
    expect(scheduler.size).toBe(1000);
  });

  it('pushes a ping back when the stream sent an event meanwhile (the timer restarts)', () => {
    const stream = new FakeStream(1000);
    scheduler.schedule(stream);
    for (let i = 0; i < 8; i++) {
      jest.advanceTimersByTime(500);
      stream.touch();
    }
    expect(stream.pings).toHaveLength(0);
    jest.advanceTimersByTime(1300);
    expect(stream.pings).toHaveLength(1);
  });

  it('forgets unscheduled streams and stops its timer when none is left', () => {
    const a = new FakeStream(1000);
    const b = new FakeStream(1000);
    scheduler.schedule(a);
    scheduler.schedule(b);
    scheduler.unschedule(a);
    scheduler.unschedule(a);
    expect(scheduler.size).toBe(1);
    jest.advanceTimersByTime(1300);
    expect(a.pings).toHaveLength(0);
    expect(b.pings).toHaveLength(1);
    scheduler.unschedule(b);
    jest.advanceTimersByTime(500);
    expect(scheduler.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never keeps the process alive, and stops on module destroy', () => {
    scheduler.schedule(new FakeStream(1000));
    expect(jest.getTimerCount()).toBe(1);
    scheduler.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('ClampingPingPolicy', () => {
  const policy = new ClampingPingPolicy(5, 300);
  it.each([
    [0, 0],
    [1, 5],
    [5, 5],
    [30, 30],
    [300, 300],
    [301, 300],
    [999_999_999, 300],
  ])('ping=%i is served as %i', (requested, used) => {
    expect(policy.intervalFor(requested)).toBe(used);
  });
});

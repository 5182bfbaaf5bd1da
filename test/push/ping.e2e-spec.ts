// Issue 2, point 4 (ping) and the id rule of point 6, and James's pingShouldBeSupported.
import { PingScheduler } from 'jmap-push/ping/ping-scheduler';
import { startPushApp } from '../support/push-app';
import { usePushApp } from '../support/push-fixture';
import type { EventStream, SseFrame } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { waitUntil } from '../support/wait';

/** The next frame and when it arrived. */
async function timed(stream: EventStream, timeoutMs = 4000): Promise<{ frame: SseFrame; at: number }> {
  const frame = await stream.next(timeoutMs);
  return { frame, at: performance.now() };
}

/** Ping times are at most one scheduler tick (250 ms) early or late, plus loopback latency. */
const EARLY_MS = 300;

describe.each(TRANSPORTS)('pings (%s transport)', (transport) => {
  const fx = usePushApp(transport, { ping: { min: 1, max: 300 } });

  it('sends "event: ping" with {"interval":N} and the id the client holds (pingShouldBeSupported)', async () => {
    const before = fx.push.metrics.snapshot().pings;
    const { stream, hello } = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    const ping = await stream.next(3000);
    expect(ping.raw).toBe(`event: ping\nid: ${hello.id}\ndata: {"interval":1}\n\n`);
    expect(fx.push.metrics.snapshot().pings).toBe(before + 1);
  });

  it('sends no ping for ping=0', async () => {
    const silent = await fx.connect('bob', 'types=*&closeafter=no&ping=0');
    const clock = await fx.connect('alice', 'types=*&closeafter=no&ping=1');
    await clock.stream.nextEvent('ping', 3000);
    expect(silent.stream.drain()).toEqual([]);
  });

  it('repeats the id of the last state event in every ping: a ping never sets a new id', async () => {
    const { stream, hello } = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    const id = await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(id).not.toBe(hello.id);
    expect((await stream.next()).id).toBe(id);
    // Changes of other accounts and types move the bus on, but this client still holds `id`.
    await fx.push.stateChanges.publish('acc-carol', { Email: 'c1' });
    const first = await stream.nextEvent('ping', 3000);
    const second = await stream.nextEvent('ping', 3000);
    expect([first.id, second.id]).toEqual([id, id]);
  });

  it('repeats the interval between pings', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    const first = await timed(stream);
    const second = await timed(stream);
    expect([first.frame.event, second.frame.event]).toEqual(['ping', 'ping']);
    expect(second.at - first.at).toBeGreaterThan(1000 - EARLY_MS);
  });

  it('restarts the timer after every event: a busy stream gets no ping', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    // A change every 400 ms for 2 s: each pushes the due ping back by a full second.
    for (let i = 0; i < 5; i++) {
      await fx.push.stateChanges.publish('acc-bob', { Email: `e${i}` });
      await new Promise((wake) => setTimeout(wake, 400));
    }
    const frames = stream.drain();
    expect(frames.map((f) => f.event)).toEqual(['state', 'state', 'state', 'state', 'state']);
    const lastState = performance.now() - 400;
    const ping = await timed(stream);
    expect(ping.frame.event).toBe('ping');
    expect(ping.frame.id).toBe(frames[4].id);
    expect(ping.at - lastState).toBeGreaterThan(1000 - EARLY_MS);
  });

  it('files a pinging stream with the shared scheduler, and removes it when the client leaves', async () => {
    const scheduler = fx.push.app.get(PingScheduler);
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    await fx.connect('bob', 'types=*&closeafter=no&ping=0');
    expect(scheduler.size).toBe(1);
    stream.close();
    await waitUntil(() => scheduler.size === 0, 'the scheduler forgot the stream');
  });
});

describe.each(TRANSPORTS)('ping clamping (%s transport)', (transport) => {
  const fx = usePushApp(transport, { ping: { min: 2, max: 300 } });

  it('raises a request below the minimum to it, and says so in the ping', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    const opened = performance.now();
    const ping = await timed(stream, 4000);
    expect(ping.frame.data).toBe('{"interval":2}');
    expect(ping.at - opened).toBeGreaterThan(2000 - EARLY_MS);
  });
});

describe.each(TRANSPORTS)('the default maximum ping (%s transport)', (transport) => {
  // The library's own bounds (5 to 300 s), not the suite's usual min of 1 s.
  const fx = usePushApp(transport, { ping: undefined });
  let ahead = 0;
  let clock: jest.SpiedFunction<typeof performance.now> | undefined;
  afterEach(() => {
    clock?.mockRestore();
    ahead = 0;
  });

  it('serves ping=9999 every 300 s and says {"interval":300} (RFC 8620 section 7.3: the server may clamp)', async () => {
    // Real timers and sockets, a clock that can jump: the ping wheel reads performance.now() every tick.
    const now = performance.now.bind(performance);
    clock = jest.spyOn(performance, 'now').mockImplementation(() => now() + ahead);
    const { stream, hello } = await fx.connect('bob', 'types=*&closeafter=no&ping=9999');
    const ticks = (count: number) => waitUntil(() => clock!.mock.calls.length >= count, `${count} clock reads`);

    ahead = 299_000;
    await ticks(clock.mock.calls.length + 2);
    expect(stream.drain()).toEqual([]);
    ahead = 300_250;
    const ping = await stream.next(3000);
    expect(ping.raw).toBe(`event: ping\nid: ${hello.id}\ndata: {"interval":300}\n\n`);
  });
});

describe.each(TRANSPORTS)('a custom ping policy (%s transport)', (transport) => {
  // Clamps everything to one second: shows the ping's interval is the one in use, not the one asked for.
  const fx = usePushApp(transport, {
    pingPolicy: { intervalFor: (requested) => (requested === 0 ? 0 : 1) },
  });

  it('announces the interval in use, not the one requested', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=600');
    expect((await stream.nextEvent('ping', 3000)).data).toBe('{"interval":1}');
  });
});

describe('ping bounds at startup (RFC 8620: min at most 30 s, max at least 300 s)', () => {
  it.each([
    [{ min: 31 }, /ping\.min 31/],
    [{ max: 299 }, /ping\.max 299/],
    [{ min: 0 }, /ping\.min/],
    [{ min: 1.5 }, /ping\.min/],
    [{ min: 5, max: 4000.5 }, /ping\.max/],
  ])('refuses %j', async (ping, message) => {
    await expect(startPushApp({ ping })).rejects.toThrow(message);
  });

  it('accepts the extremes min 30 and max 300', async () => {
    const push = await startPushApp({ ping: { min: 30, max: 300 } });
    await push.close();
  });
});

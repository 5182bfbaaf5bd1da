// Issue 2, point 7 (open at once; no `event: error`, an error inside the stream ends it cleanly).
import { EventSource } from 'eventsource';
import { expectLogged } from '../support/expected-logs';
import { AUTH, usePushApp } from '../support/push-fixture';
import { ScriptedBus } from '../support/scripted-bus';
import { TRANSPORTS } from '../support/transports';

const ALL = 'types=*&closeafter=no&ping=0';

describe.each(TRANSPORTS)('opening a stream (%s transport)', (transport) => {
  const fx = usePushApp(transport, { reconnectDelayMs: 1500 });

  it('sends the headers and a first frame with an id and retry before anything changed', async () => {
    const stream = await fx.open(ALL, AUTH.bob);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['cache-control']).toEqual(expect.stringContaining('no-cache'));
    expect(stream.headers['cache-control']).toEqual(expect.stringContaining('no-transform'));
    expect(stream.headers['x-accel-buffering']).toBe('no');
    const hello = await stream.next();
    expect(hello.raw.replace(/^\n/, '')).toMatch(/^id: \d+-\d+\nretry: 1500\n\n$/);
    expect(hello.event).toBeUndefined();
  });

  it('gives a new client the id of the newest change, so a reconnect replays only what follows', async () => {
    const id = await fx.push.stateChanges.publish('acc-carol', { Email: 'c1' });
    const { hello } = await fx.connect('bob', ALL);
    expect(hello.id).toBe(id);
  });

  it("fires the spec client's open with nothing to report", async () => {
    const source = new EventSource(fx.push.url(ALL), {
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          headers: { ...(init.headers as object), ...AUTH.bob },
        }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        source.onopen = () => {
          resolve();
        };
        source.onerror = (error) => {
          reject(new Error(`error before open: ${error.message}`));
        };
      });
      expect(source.readyState).toBe(EventSource.OPEN);
    } finally {
      source.close();
    }
  });
});

describe.each(TRANSPORTS)('errors inside a stream (%s transport)', (transport) => {
  const bus = new ScriptedBus();
  const fx = usePushApp(transport, { bus });
  afterEach(() => {
    bus.changesSinceHook = undefined;
    bus.latestStatesHook = undefined;
  });
  const failure = new Error('history unavailable');

  it.each([
    ['rejects', () => (bus.changesSinceHook = () => Promise.reject(failure))],
    [
      'throws',
      () =>
        (bus.changesSinceHook = () => {
          throw failure;
        }),
    ],
    [
      'throws for the latest states',
      () =>
        (bus.latestStatesHook = () => {
          throw failure;
        }),
    ],
    ['rejects for the latest states', () => (bus.latestStatesHook = () => Promise.reject(failure))],
  ])('a replay whose store %s ends the stream cleanly, with no "event: error"', async (_name, breakIt) => {
    breakIt();
    const stream = await expectLogged('warn', /^Replay failed: history unavailable$/, async () => {
      const opened = await fx.open(ALL, { ...AUTH.bob, 'Last-Event-ID': 'unknown-id' });
      await opened.ended;
      return opened;
    });
    const body = await stream.body;
    expect(body).not.toMatch(/event: ?error/);
    expect(body).not.toContain('unavailable');
    expect(stream.status).not.toBe(500);
    await fx.settled();
    // Other streams are unaffected.
    const { stream: other } = await fx.connect('bob', ALL);
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect((await other.next()).event).toBe('state');
  });
});

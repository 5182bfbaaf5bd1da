// Issue 2, point 6 (event ids and Last-Event-ID) and point 5 for replayed events.
import type { Socket } from 'node:net';
import { EventSource, type FetchLike } from 'eventsource';
import { AUTH, stateFrameText, stateOf, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';

const ALL = 'types=*&closeafter=no&ping=0';

describe.each(TRANSPORTS)('Last-Event-ID replay (%s transport)', (transport) => {
  const fx = usePushApp(transport, { historySize: 4 }, 'each');
  const publish = (account: string, changed: Record<string, string>) => fx.push.stateChanges.publish(account, changed);

  /** Connects once and leaves, returning the id the client held. */
  const seenId = async (): Promise<string> => {
    const { stream, hello } = await fx.connect('bob', ALL);
    stream.close();
    return hello.id as string;
  };

  it('sends the missed changes at once, merged into one event, with retry on it', async () => {
    const seen = await seenId();
    await publish('acc-bob', { Email: 'e1' });
    await publish('acc-alice', { Mailbox: 'm1' });
    await publish('acc-carol', { Email: 'c1' });
    const last = await publish('acc-bob', { Email: 'e2', Thread: 't1' });
    const { stream, hello } = await fx.connect('bob', ALL, {
      'Last-Event-ID': seen,
    });
    expect(hello.raw.replace(/^\n/, '')).toBe(
      stateFrameText(last, {
        'acc-bob': { Email: 'e2', Thread: 't1' },
        'acc-alice': { Mailbox: 'm1' },
      }).replace('data:', 'retry: 2000\ndata:'),
    );
    // Only one event: the next frame is a new change, not a second replay.
    await publish('acc-bob', { Email: 'e3' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e3' },
    });
    expect(fx.push.metrics.snapshot().replays).toBe(1);
  });

  it('replays only the requested types', async () => {
    const seen = await seenId();
    await publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    await publish('acc-alice', { Thread: 't1' });
    const { hello } = await fx.connect('bob', 'types=Mailbox&closeafter=no&ping=0', { 'Last-Event-ID': seen });
    expect(stateOf(hello).changed).toEqual({ 'acc-bob': { Mailbox: 'm1' } });
  });

  it('sends no state event when nothing changed, only the id', async () => {
    const seen = await seenId();
    const { stream, hello } = await fx.connect('bob', ALL, {
      'Last-Event-ID': seen,
    });
    expect(hello.event).toBeUndefined();
    expect(hello.id).toBe(seen);
    await publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
  });

  it('sends no state event when only other accounts or types changed', async () => {
    const seen = await seenId();
    await publish('acc-carol', { Email: 'c1' });
    await publish('acc-bob', { Thread: 't1' });
    const { stream, hello } = await fx.connect('bob', 'types=Email&closeafter=no&ping=0', { 'Last-Event-ID': seen });
    expect(hello.event).toBeUndefined();
    await publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
  });

  describe('an id the server cannot place gets the latest state of every requested type, never an error', () => {
    const latest = {
      'acc-bob': { Email: 'e9', Mailbox: 'm1' },
      'acc-alice': { Thread: 't1' },
    };
    beforeEach(async () => {
      await publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
      await publish('acc-alice', { Thread: 't1' });
      await publish('acc-carol', { Email: 'c1' });
      await publish('acc-bob', { Email: 'e9' });
    });

    it.each([
      ['malformed', 'not-an-id'],
      ['from another server run', '1-1'],
      ['from the future', `${'9'.repeat(15)}-1`],
      ['absurdly long', `${'1'.repeat(200)}-1`],
      ['with a newline-free injection attempt', '1-1 event: x'],
    ])('%s', async (_name, lastEventId) => {
      const { hello } = await fx.connect('bob', ALL, {
        'Last-Event-ID': lastEventId,
      });
      expect(stateOf(hello).changed).toEqual(latest);
    });

    it('older than the history kept (historySize 4)', async () => {
      const { hello: first } = await fx.connect('bob', ALL);
      for (let i = 0; i < 6; i++) await publish('acc-carol', { Email: `c${i}` });
      await publish('acc-bob', { Email: 'e10' });
      const { hello } = await fx.connect('bob', ALL, {
        'Last-Event-ID': first.id as string,
      });
      expect(stateOf(hello).changed).toEqual({
        ...latest,
        'acc-bob': { Email: 'e10', Mailbox: 'm1' },
      });
    });

    it('filtered by the requested types', async () => {
      const { hello } = await fx.connect('alice', 'types=Thread&closeafter=no&ping=0', { 'Last-Event-ID': 'x' });
      expect(stateOf(hello).changed).toEqual({
        'acc-alice': { Thread: 't1' },
      });
    });
  });

  it('with closeafter=state, ends right after the replayed event (point 5)', async () => {
    const seen = await seenId();
    await publish('acc-bob', { Email: 'e1' });
    const stream = await fx.open('types=*&closeafter=state&ping=0', {
      ...AUTH.bob,
      'Last-Event-ID': seen,
    });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
    await stream.ended;
    expect(stream.frames).toHaveLength(1);
  });

  it('with closeafter=state and nothing missed, waits for the next change and ends after it', async () => {
    const seen = await seenId();
    const { stream } = await fx.connect('bob', 'types=*&closeafter=state&ping=0', { 'Last-Event-ID': seen });
    await publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
    await stream.ended;
  });
});

describe.each(TRANSPORTS)('reconnection with the spec client, eventsource@4 (%s transport)', (transport) => {
  const fx = usePushApp(transport, { reconnectDelayMs: 50 });

  it('resumes after a dropped connection: the missed changes arrive as one merged event', async () => {
    const sockets = new Set<Socket>();
    fx.push.app.getHttpServer().on('connection', (socket: Socket) => sockets.add(socket));
    const sentLastEventIds: Array<string | null> = [];
    const authorizedFetch: FetchLike = (url, init) => {
      const headers = new Headers(init.headers);
      headers.set('Authorization', AUTH.bob.Authorization);
      sentLastEventIds.push(headers.get('Last-Event-ID'));
      return fetch(url, { ...init, headers });
    };
    const source = new EventSource(fx.push.url(ALL), {
      fetch: authorizedFetch,
    });
    const states: MessageEvent[] = [];
    let onState: (() => void) | undefined;
    source.addEventListener('state', (event) => {
      states.push(event);
      onState?.();
    });
    const nextState = (count: number) =>
      new Promise<MessageEvent>((resolve) => {
        onState = () => {
          if (states.length >= count) resolve(states[count - 1]);
        };
        onState();
      });
    try {
      await new Promise<void>(
        (resolve) =>
          (source.onopen = () => {
            resolve();
          }),
      );
      const firstId = await fx.push.stateChanges.publish('acc-bob', {
        Email: 'e1',
      });
      const first = await nextState(1);
      expect(first.lastEventId).toBe(firstId);

      // The network drops the connection; changes happen while the client is away.
      for (const socket of sockets) socket.destroy();
      await fx.push.stateChanges.publish('acc-bob', { Email: 'e2' });
      await fx.push.stateChanges.publish('acc-alice', { Mailbox: 'm1' });
      const lastId = await fx.push.stateChanges.publish('acc-bob', {
        Email: 'e3',
      });

      const replayed = await nextState(2);
      expect(sentLastEventIds).toEqual([null, firstId]);
      expect(JSON.parse(replayed.data as string)).toEqual({
        '@type': 'StateChange',
        changed: {
          'acc-bob': { Email: 'e3' },
          'acc-alice': { Mailbox: 'm1' },
        },
      });
      expect(replayed.lastEventId).toBe(lastId);
      expect(states).toHaveLength(2);
    } finally {
      source.close();
    }
  });
});

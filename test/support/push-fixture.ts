import { PROBLEM_JSON } from 'jmap-push';
import { startPushApp, type PushApp, type PushAppOptions } from './push-app';
import { waitForIdle } from './server-holds';
import { basicAuth, openEventStream, type EventStream, type SseFrame } from './sse-client';
import type { Transport } from './transports';

/** `Authorization` headers of the users of `DEFAULT_USERS`. */
export const AUTH = {
  bob: { Authorization: basicAuth('bob@example.com', 'bob-secret') },
  alice: { Authorization: basicAuth('alice@example.com', 'alice-secret') },
  carol: { Authorization: basicAuth('carol@example.com', 'carol-secret') },
} as const;
export type UserName = keyof typeof AUTH;

/** A connected stream and its first frame (the one that opens it and sets the client's id). */
export interface Connected {
  readonly stream: EventStream;
  readonly hello: SseFrame;
}

/** What a test file gets from `usePushApp`: the running app and stream helpers that clean up after each test. */
export interface PushFixture {
  readonly push: PushApp;
  /** Opens a stream (any status), closed after the test. */
  open(query: string, headers?: Record<string, string>): Promise<EventStream>;
  /** Opens a stream as `user`, expects 200, and waits for its first frame. */
  connect(user: UserName, query: string, headers?: Record<string, string>): Promise<Connected>;
  /** Resolves once the server holds no stream, no slot and no ping (after clients left). */
  settled(): Promise<void>;
}

/**
 * Boots a push app for a `describe` block: `scope: 'all'` shares one app between its tests, `'each'`
 * gives every test a fresh one (for counters and limits). Streams a test opened are closed after it.
 */
export function usePushApp(
  transport: Transport,
  options: PushAppOptions | (() => PushAppOptions) = {},
  scope: 'all' | 'each' = 'all',
): PushFixture {
  let current: PushApp | undefined;
  const opened: EventStream[] = [];
  const start = async () => {
    const resolved = typeof options === 'function' ? options() : options;
    current = await startPushApp({ transport, ...resolved });
  };
  const stop = async () => {
    await current?.close();
    current = undefined;
  };
  if (scope === 'all') {
    beforeAll(start);
    afterAll(stop);
  } else {
    beforeEach(start);
  }
  afterEach(async () => {
    for (const stream of opened.splice(0)) stream.close();
    if (scope === 'each') await stop();
  });

  const fixture: PushFixture = {
    get push(): PushApp {
      if (!current) throw new Error('the push app is not running');
      return current;
    },
    async open(query, headers = {}) {
      const stream = await openEventStream(fixture.push.url(query), headers);
      opened.push(stream);
      return stream;
    },
    async connect(user, query, headers = {}) {
      const stream = await fixture.open(query, { ...AUTH[user], ...headers });
      if (stream.status !== 200) throw new Error(`expected 200, got ${stream.status}: ${await stream.body}`);
      return { stream, hello: await stream.next() };
    },
    settled: () => waitForIdle(fixture.push),
  };
  return fixture;
}

/** What a test file gets from `usePushAppPerTest`: each test starts its app, with options of its own. */
export interface PerTestPushApp {
  start(options?: PushAppOptions): Promise<PushApp>;
  /** The test closed its app itself: nothing is left to close after it. */
  forget(): void;
  /** Opens a stream (any status), closed after the test. */
  open(query: string, headers: Record<string, string>): Promise<EventStream>;
  /** Opens a stream, expects 200, and waits for its first frame. */
  connect(query: string, headers: Record<string, string>): Promise<EventStream>;
}

/** One app per test, started by the test itself; its streams are closed and the app shut after it. */
export function usePushAppPerTest(transport: Transport): PerTestPushApp {
  let push: PushApp | undefined;
  const streams: EventStream[] = [];
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await push?.close();
    push = undefined;
  });
  const fixture: PerTestPushApp = {
    async start(options = {}) {
      push = await startPushApp({ transport, ...options });
      return push;
    },
    forget() {
      push = undefined;
    },
    async open(query, headers) {
      if (!push) throw new Error('the test has not started its push app');
      const stream = await openEventStream(push.url(query), headers);
      streams.push(stream);
      return stream;
    },
    async connect(query, headers) {
      const stream = await fixture.open(query, headers);
      expect(stream.status).toBe(200);
      await stream.next();
      return stream;
    },
  };
  return fixture;
}

/** Reads a finished error response and checks it is RFC 7807 problem details of `status`. */
export async function expectProblem(stream: EventStream, status: number): Promise<Record<string, unknown>> {
  expect(stream.status).toBe(status);
  expect(stream.headers['content-type']).toMatch(new RegExp(`^${PROBLEM_JSON.replace('+', '\\+')}`));
  const problem = JSON.parse(await stream.body) as Record<string, unknown>;
  expect(problem).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
  });
  return problem;
}

/** The parsed `data` of a state frame. */
export function stateOf(frame: SseFrame): {
  '@type': string;
  changed: Record<string, Record<string, string>>;
} {
  expect(frame.event).toBe('state');
  return JSON.parse(frame.data ?? 'null');
}

/** The exact bytes of a state event. */
export function stateFrameText(id: string, changed: Record<string, Record<string, string>>): string {
  return `event: state\nid: ${id}\ndata: ${JSON.stringify({ '@type': 'StateChange', changed })}\n\n`;
}

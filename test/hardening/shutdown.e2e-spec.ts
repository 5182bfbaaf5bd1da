// Issue 6, point 7: shutdown. `app.close()` with 1,000 open streams resolves within a second and every
// client sees its response end; a connection attempted after close began is refused, and so is one whose
// authentication was still running when it began.
import { request } from 'node:http';
import type { Principal } from 'jmap-push';
import { startPushApp, type PushApp } from '../support/push-app';
import { basicAuth, openEventStream, type EventStream } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { within } from '../support/wait';

const STREAMS = 1000;
const ALL = 'types=*&closeafter=no&ping=30';

/** A GET that resolves with its status, or with the network error that refused it. */
function attempt(
  url: string,
  headers: Record<string, string>,
): Promise<{ status?: number; error?: string; retryAfter?: string; body?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers });
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ error: error.code ?? error.message });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'], body });
      });
      res.on('error', () => {
        resolve({ status: res.statusCode, body });
      });
    });
    req.end();
  });
}

describe.each(TRANSPORTS)('shutdown (%s transport)', (transport) => {
  let push: PushApp;
  const streams: EventStream[] = [];
  let releaseLate!: () => void;
  let lateArrived!: () => void;
  const lateHere = new Promise<void>((resolve) => (lateArrived = resolve));

  beforeAll(async () => {
    const gate = new Promise<void>((open) => (releaseLate = open));
    push = await startPushApp({
      transport,
      maxStreamsPerPrincipal: STREAMS + 10,
      maxStreams: STREAMS + 10,
      authenticator: {
        async authenticateBasic(username: string): Promise<Principal | null> {
          if (username === 'late') {
            lateArrived();
            await gate;
          }
          return { id: username, accountIds: ['acc-1'] };
        },
      },
    });
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await push.close().catch(() => undefined);
  });

  it(`ends ${STREAMS} open streams and resolves within a second; connections after close began are refused`, async () => {
    const headers = { Authorization: basicAuth('user', 'pw') };
    for (let i = 0; i < STREAMS; i += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => openEventStream(push.url(ALL), headers)));
      streams.push(...batch);
    }
    expect(streams.every((stream) => stream.status === 200)).toBe(true);
    await Promise.all(streams.map((stream) => stream.next()));
    expect(push.metrics.snapshot().openStreams).toBe(STREAMS);

    // A client whose credentials are still being checked when close begins.
    const late = attempt(push.url(ALL), { Authorization: basicAuth('late', 'pw') });
    await lateHere;

    const startedAt = performance.now();
    let closedAt = Number.NaN;
    const closing = push.app.close().then(() => (closedAt = performance.now()));
    // Close has begun: a new connection now is dropped without an answer (or finds nobody listening).
    const after = attempt(push.url(ALL), headers);
    releaseLate();

    const ended = Promise.all(streams.map((stream) => stream.ended)).then(() => performance.now());
    const endedAt = await within(ended, 3000, 'every response ended');
    await within(closing, 3000, 'app.close() resolved');

    expect(endedAt - startedAt).toBeLessThan(1000);
    expect(closedAt - startedAt).toBeLessThan(1000);
    // Every response ended cleanly (not cut): its body ends with a complete frame.
    for (const stream of streams) expect(await stream.body).toMatch(/\n\n$/);

    // No 503: it would end a browser's EventSource for good, while a dropped connection is retried.
    const lateAnswer = await late;
    expect(lateAnswer.status).toBeUndefined();
    expect(lateAnswer.error).toMatch(/ECONNRESET|socket hang up/);
    const afterAnswer = await after;
    expect(afterAnswer.status).toBeUndefined();
    expect(afterAnswer.error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    // And once closed, nothing listens.
    expect((await attempt(push.url(ALL), headers)).error).toMatch(/ECONNREFUSED/);
  }, 30_000);
});

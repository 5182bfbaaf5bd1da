// Issue 6, point 6: limits. Per-principal and global stream caps under a burst of 250 concurrent
// connects admit exactly the cap (no over-admission from races), the rest get 429 problem details with
// Retry-After; oversized URLs, headers and parameters get 414/431/400/401, never a crash.
import type { Principal } from 'jmap-push';
import { SubscriptionAdmission } from 'jmap-push/subscription/subscription-admission';
import { startPushApp, type PushApp } from '../support/push-app';
import { expectProblem } from '../support/push-fixture';
import { basicAuth, openEventStream, type EventStream } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { KeepAliveClient } from '../support/keep-alive-client';
import { rawExchange, rawGet } from '../support/raw-http';
import { waitForIdle } from '../support/server-holds';
import { assertWellFormed } from '../support/well-formed';

const ALL = 'types=*&closeafter=no&ping=0';
const BURST = 250;

/** A directory where user-N reads acc-N, answering after a random short delay so connects interleave. */
const slowDirectory = {
  async authenticateBasic(username: string): Promise<Principal | null> {
    await new Promise((wake) => setTimeout(wake, Math.random() * 20));
    return /^user-\d+$/.test(username) ? { id: username, accountIds: [`acc-${username.slice(5)}`] } : null;
  },
};
const auth = (user: string) => ({ Authorization: basicAuth(user, 'pw') });

describe.each(TRANSPORTS)('stream caps under a burst of concurrent connects (%s transport)', (transport) => {
  let push: PushApp | undefined;
  let streams: EventStream[] = [];

  afterEach(async () => {
    for (const stream of streams) stream.close();
    streams = [];
    await push?.close();
    push = undefined;
  });

  /** Fires every connect at once and sorts the answers; admitted streams stay open. */
  async function burst(users: string[]): Promise<{ admitted: EventStream[]; refused: EventStream[] }> {
    streams = await Promise.all(users.map((user) => openEventStream(push!.url(ALL), auth(user))));
    const admitted = streams.filter((stream) => stream.status === 200);
    const refused = streams.filter((stream) => stream.status !== 200);
    for (const stream of refused) {
      const problem = await expectProblem(stream, 429);
      expect(problem).toMatchObject({
        type: 'urn:ietf:params:jmap:error:limit',
        status: 429,
        limit: expect.any(String),
      });
      expect(stream.headers['retry-after']).toBe('3');
    }
    // Every admitted stream is a real one.
    await Promise.all(admitted.map((stream) => stream.next()));
    return { admitted, refused };
  }

  it(`admits exactly maxStreamsPerPrincipal of ${BURST} concurrent connects of one principal`, async () => {
    push = await startPushApp({
      transport,
      authenticator: slowDirectory,
      maxStreamsPerPrincipal: 10,
      retryAfterSeconds: 3,
    });
    const { admitted, refused } = await burst(Array.from({ length: BURST }, () => 'user-1'));
    expect(admitted).toHaveLength(10);
    expect(refused).toHaveLength(BURST - 10);
    for (const stream of refused)
      expect(JSON.parse(await stream.body)).toMatchObject({ limit: 'maxStreamsPerPrincipal' });
    expect(push.app.get(SubscriptionAdmission).held).toBe(10);
    expect(push.metrics.snapshot()).toMatchObject({ openStreams: 10, rejections: { tooManyStreams: BURST - 10 } });

    // The slots come back when the streams go, and the cap admits again.
    for (const stream of admitted) stream.close();
    await waitForIdle(push);
    const again = await openEventStream(push.url(ALL), auth('user-1'));
    streams.push(again);
    expect(again.status).toBe(200);
  });

  it(`admits exactly maxStreams of ${BURST} concurrent connects of many principals`, async () => {
    push = await startPushApp({
      transport,
      authenticator: slowDirectory,
      maxStreams: 50,
      maxStreamsPerPrincipal: 32,
      retryAfterSeconds: 3,
    });
    const { admitted, refused } = await burst(Array.from({ length: BURST }, (_, i) => `user-${i % 25}`));
    expect(admitted).toHaveLength(50);
    for (const stream of refused) expect(JSON.parse(await stream.body)).toMatchObject({ limit: 'maxStreams' });
    expect(push.app.get(SubscriptionAdmission).held).toBe(50);
  });

  it('holds both caps at once: no principal over its cap, no more than the global cap', async () => {
    push = await startPushApp({
      transport,
      authenticator: slowDirectory,
      maxStreams: 30,
      maxStreamsPerPrincipal: 4,
      retryAfterSeconds: 3,
    });
    // 40 users with 6 connects each: 160 would pass the per-principal cap, the global one lets 30 in.
    const users = Array.from({ length: 240 }, (_, i) => `user-${i % 40}`);
    const { admitted } = await burst(users);
    expect(admitted).toHaveLength(30);
    const perUser = new Map<string, number>();
    users.forEach((user, i) => {
      if (streams[i].status === 200) perUser.set(user, (perUser.get(user) ?? 0) + 1);
    });
    expect(Math.max(...perUser.values())).toBeLessThanOrEqual(4);
  });

  it('releases the slot of a client that leaves while it is being authenticated', async () => {
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((open) => (release = open));
    push = await startPushApp({
      transport,
      maxStreamsPerPrincipal: 2,
      authenticator: {
        async authenticateBasic(username: string) {
          arrived++;
          await gate;
          return { id: username, accountIds: ['acc-1'] };
        },
      },
    });
    const port = Number(new URL(push.baseUrl).port);
    const leaving = Array.from({ length: 5 }, () =>
      rawExchange(port, rawGet(`/jmap/eventsource?${ALL}`, [['Authorization', basicAuth('user-1', 'pw')]]), 300).catch(
        () => 'gone',
      ),
    );
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (arrived === 5) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    // The clients give up (rawExchange destroys its socket on timeout) while the directory still thinks.
    expect(await Promise.all(leaving)).toEqual(Array(5).fill('gone'));
    release();
    await waitForIdle(push);
    // Had their slots leaked, a cap of 2 would refuse these.
    const a = await openEventStream(push.url(ALL), auth('user-1'));
    const b = await openEventStream(push.url(ALL), auth('user-1'));
    streams.push(a, b);
    expect([a.status, b.status]).toEqual([200, 200]);
  });
});

describe.each(TRANSPORTS)('request size limits (%s transport)', (transport) => {
  let push: PushApp;
  let port: number;
  let client: KeepAliveClient;
  const BOB = basicAuth('bob@example.com', 'bob-secret');

  beforeAll(async () => {
    push = await startPushApp({ transport });
    port = Number(new URL(push.baseUrl).port);
    client = new KeepAliveClient(port);
  });

  afterAll(async () => {
    client.close();
    await push.close();
  });

  afterEach(async () => {
    // The server still serves a valid request after each oversized one, and holds nothing after it.
    const ok = await client.get(`/jmap/eventsource?${ALL}`, { Authorization: BOB });
    expect(ok.status).toBe(200);
    await waitForIdle(push);
  });

  const send = (target: string, headers: Array<[string, string]> = [['Authorization', BOB]]) =>
    rawExchange(port, rawGet(target, headers));

  it.each([4097, 8000, 15_000])('answers 414 problem details to a %i-character URL', async (length) => {
    const prefix = `/jmap/eventsource?${ALL}&pad=`;
    const response = await send(prefix + 'x'.repeat(length - prefix.length));
    assertWellFormed(response);
    expect(response.status).toBe(414);
    expect(JSON.parse(response.body)).toMatchObject({ status: 414, title: 'URI Too Long' });
  });

  it('accepts a 4096-character URL (the limit itself)', async () => {
    const prefix = `/jmap/eventsource?${ALL}&pad=`;
    const response = await send(prefix + 'x'.repeat(4096 - prefix.length));
    expect(response.status).toBe(200);
  });

  it('answers 401, not 414, to an unauthenticated long URL (credentials first)', async () => {
    const response = await send(`/jmap/eventsource?${ALL}&pad=${'x'.repeat(5000)}`, []);
    assertWellFormed(response);
    expect(response.status).toBe(401);
  });

  it.each([
    ['a 20,000-character URL', `/jmap/eventsource?${ALL}&pad=${'x'.repeat(20_000)}`, [['Authorization', BOB]]],
    [
      'a 20 KiB header',
      `/jmap/eventsource?${ALL}`,
      [
        ['Authorization', BOB],
        ['X-Pad', 'y'.repeat(20 * 1024)],
      ],
    ],
    ['a 20 KiB Authorization', `/jmap/eventsource?${ALL}`, [['Authorization', `Basic ${'A'.repeat(20 * 1024)}`]]],
  ] as Array<[string, string, Array<[string, string]>]>)(
    'answers 431 (from Node, before the app) to %s',
    async (_name, target, headers) => {
      const response = await send(target, headers);
      assertWellFormed(response, true);
      expect(response.status).toBe(431);
    },
  );

  it('serves a request with 3,000 small headers (Node keeps the first 2,000) without a crash', async () => {
    const headers: Array<[string, string]> = [
      ['Authorization', BOB],
      ...Array.from({ length: 3000 }, (_, i): [string, string] => [`X-H${i}`, 'v']),
    ];
    const response = await send(`/jmap/eventsource?${ALL}`, headers);
    assertWellFormed(response, true);
    expect([200, 431]).toContain(response.status);
  });

  it('answers 401 to an Authorization over 4 KiB that Node lets through', async () => {
    const response = await send(`/jmap/eventsource?${ALL}`, [
      ['Authorization', basicAuth('bob@example.com', `bob-secret${'x'.repeat(6000)}`)],
    ]);
    assertWellFormed(response);
    expect(response.status).toBe(401);
  });

  it.each([
    ['types over 2048 characters', `types=${'Email,'.repeat(400)}Email&closeafter=no&ping=0`, 'types'],
    ['a ping of 40 digits', 'types=*&closeafter=no&ping=' + '9'.repeat(40), 'ping'],
    ['a closeafter of 3000 characters', `types=*&closeafter=${'no'.repeat(1500)}&ping=0`, 'closeafter'],
    ['types repeated 300 times', `${'types=Email&'.repeat(300)}closeafter=no&ping=0`, 'types'],
  ])('answers 400 naming the parameter to %s', async (_name, query, parameter) => {
    const response = await send(`/jmap/eventsource?${query}`);
    assertWellFormed(response);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ parameter });
  });

  it('answers 200 to a Last-Event-ID of 10,000 characters (treated as unknown, not parsed)', async () => {
    const response = await send(`/jmap/eventsource?${ALL}`, [
      ['Authorization', BOB],
      ['Last-Event-ID', '1'.repeat(5000) + '-' + '2'.repeat(4999)],
    ]);
    assertWellFormed(response);
    expect(response.status).toBe(200);
  });
});

// The `direct` transport's event source answered ahead of Express (`DirectRoute`, issue 15): which requests
// take that way, that every answer there is the route's own (heads, problem details, limits), and that
// anything of the host's in front of the route sends every request through Express and Nest instead.
import type { CanActivate, INestApplication, NestInterceptor } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DirectRoute } from 'jmap-push/event-source/direct-route';
import type { Authenticator } from 'jmap-push';
import {
  DEFAULT_USERS,
  startPushApp,
  tableAuthenticator,
  type PushApp,
  type PushAppOptions,
} from '../support/push-app';
import { headerOf, parseResponses, rawRequest, RawConnection, type RawResponse } from '../support/raw-connection';
import { waitUntil } from '../support/wait';

const PATH = '/jmap/eventsource';
const ALL = `${PATH}?types=*&closeafter=no&ping=0`;

/** The test directory, and a user whose lookups fail (a directory outage: 503). */
const directory: Authenticator = {
  authenticateBasic(username, password) {
    if (username === 'down@example.com') throw new Error('directory down');
    return tableAuthenticator(DEFAULT_USERS).authenticateBasic(username, password);
  },
};

/** Lets every request through: enough to stand in front of the route. */
const passThrough = (app: INestApplication) => {
  app.use((_request: IncomingMessage, _response: ServerResponse, next: () => void) => {
    next();
  });
};

describe('direct event source ahead of Express', () => {
  const apps: PushApp[] = [];
  const connections: RawConnection[] = [];
  const start = async (options: PushAppOptions = {}) => {
    const push = await startPushApp({ transport: 'direct', authenticator: directory, ...options });
    apps.push(push);
    return push;
  };
  const ahead = (push: PushApp) => push.app.get(DirectRoute).active;
  afterEach(async () => {
    for (const made of connections.splice(0)) made.destroy();
    for (const push of apps.splice(0)) await push.close();
  });

  /** One request on a fresh connection; its response once the head and, for a stream, the first frame are in. */
  async function exchange(push: PushApp, request: string): Promise<RawResponse> {
    const connection = new RawConnection(Number(new URL(push.baseUrl).port));
    connections.push(connection);
    connection.write(request);
    const response = () => parseResponses(connection.data, ['GET']).at(0);
    await connection.until(
      () => response()?.complete === true || (response()?.body.includes('\n\n') ?? false),
      'the response',
    );
    return response() as RawResponse;
  }

  /** A response with its `Date` dropped and its ids replaced, so two servers' answers compare. */
  const comparable = (response: RawResponse) => ({
    status: response.status,
    headers: response.headers.filter(([name]) => name.toLowerCase() !== 'date'),
    body: response.body.replace(/\d+-\d+/g, '<id>'),
  });

  const REQUESTS: [string, string][] = [
    ['a stream', rawRequest(ALL, { user: 'bob@example.com' })],
    [
      'a stream with Connection: close',
      rawRequest(ALL, { user: 'carol@example.com', headers: { Connection: 'close' } }),
    ],
    ['no credentials (401)', rawRequest(ALL)],
    ['a wrong password (401)', rawRequest(ALL, { user: 'bob@example.com', password: 'wrong' })],
    ['a directory outage (503)', rawRequest(ALL, { user: 'down@example.com', password: 'x' })],
    [
      'two Authorization headers (400)',
      rawRequest(ALL, { user: 'bob@example.com', headers: { Authorization: 'Basic Ym9iOng=' } }),
    ],
    ['a bad query (400)', rawRequest(`${PATH}?types=*&closeafter=maybe&ping=0`, { user: 'bob@example.com' })],
    ['a missing parameter (400)', rawRequest(`${PATH}?types=*&ping=0`, { user: 'bob@example.com' })],
    ['a URL too long (414)', rawRequest(`${ALL}&pad=${'x'.repeat(5000)}`, { user: 'bob@example.com' })],
    ['a stream beyond maxStreamsPerPrincipal (429)', rawRequest(ALL, { user: 'alice@example.com' })],
  ];

  it('takes GET of the path when nothing of the host runs before the route, and answers as the route does', async () => {
    const options = { maxStreamsPerPrincipal: 1 };
    const fast = await start(options);
    const nest = await start({ ...options, configure: passThrough });
    expect(ahead(fast)).toBe(true);
    expect(ahead(nest)).toBe(false);
    // alice's one slot taken on both, so her next stream is refused with 429
    for (const push of [fast, nest]) {
      await exchange(push, rawRequest(ALL, { user: 'alice@example.com' }));
    }
    for (const [what, request] of REQUESTS) {
      const mine = comparable(await exchange(fast, request));
      const theirs = comparable(await exchange(nest, request));
      expect({ what, ...mine }).toEqual({ what, ...theirs });
    }
    // What was answered ahead of Express is counted as the route counts it.
    expect(fast.metrics.snapshot().rejections).toEqual(nest.metrics.snapshot().rejections);
  });

  it('sends the head and first frame of a stream as the sse transport does (X-Powered-By included)', async () => {
    const direct = await start();
    const sse = await startPushApp({ transport: 'sse' });
    apps.push(sse);
    const request = rawRequest(ALL, { user: 'bob@example.com' });
    expect(comparable(await exchange(direct, request))).toEqual(comparable(await exchange(sse, request)));
    expect(ahead(sse)).toBe(false);
  });

  it('leaves other spellings of the path, HEAD and requests with a body to Express, which serves them', async () => {
    const push = await start();
    expect(ahead(push)).toBe(true);
    const trailingSlash = await exchange(
      push,
      rawRequest(`${PATH}/?types=*&closeafter=no&ping=0`, { user: 'bob@example.com' }),
    );
    expect(trailingSlash.status).toBe(200);
    expect(trailingSlash.body).toMatch(/^id: \d+-\d+\nretry: 2000\n\n/);
    const withBody = await exchange(
      push,
      rawRequest(ALL, { user: 'bob@example.com', headers: { 'Content-Length': '2' } }).replace(
        /\r\n\r\n$/,
        '\r\n\r\n{}',
      ),
    );
    expect(withBody.status).toBe(200);
    const connection = new RawConnection(Number(new URL(push.baseUrl).port));
    connections.push(connection);
    connection.write(rawRequest(ALL, { method: 'HEAD', user: 'bob@example.com' }));
    await connection.until((data) => data.includes('\r\n\r\n'), 'the HEAD answer');
    expect(parseResponses(connection.data, ['HEAD'])[0].status).toBe(200);
    // The routes next to it are untouched.
    const other = await exchange(
      push,
      rawRequest(`${PATH}x?types=*&closeafter=no&ping=0`, { user: 'bob@example.com' }),
    );
    expect(other.status).toBe(404);
    await waitUntil(() => push.metrics.openStreams === 2, 'the two streams held');
  });

  /** Something of the host's in front of the route, and how to tell that it ran for a request. */
  interface InFront {
    readonly configure: (app: INestApplication) => void;
    readonly prefix?: string;
    readonly headers?: Record<string, string>;
    ran(response: RawResponse): boolean;
  }
  const counting = (): { count: number } => ({ count: 0 });
  const cases: [string, () => InFront][] = [
    [
      'middleware of the host (app.use)',
      () => ({
        configure: (app) =>
          app.use((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
            response.setHeader('X-Host', 'ran');
            next();
          }),
        ran: (response) => headerOf(response, 'x-host') === 'ran',
      }),
    ],
    [
      'CORS',
      () => ({
        configure: (app) => {
          app.enableCors({ origin: 'https://mail.example' });
        },
        headers: { Origin: 'https://mail.example' },
        ran: (response) => headerOf(response, 'access-control-allow-origin') === 'https://mail.example',
      }),
    ],
    [
      'a global guard',
      () => {
        const calls = counting();
        const guard: CanActivate = { canActivate: () => ++calls.count > 0 };
        return { configure: (app) => app.useGlobalGuards(guard), ran: () => calls.count === 1 };
      },
    ],
    [
      'a global interceptor',
      () => {
        const calls = counting();
        const interceptor: NestInterceptor = {
          intercept: (_context, next) => {
            calls.count++;
            return next.handle();
          },
        };
        return { configure: (app) => app.useGlobalInterceptors(interceptor), ran: () => calls.count === 1 };
      },
    ],
    ['a global prefix', () => ({ configure: (app) => app.setGlobalPrefix('api'), prefix: '/api', ran: () => true })],
  ];
  it.each(cases)('steps aside for %s, which then applies to the stream', async (_what, make) => {
    const inFront = make();
    const push = await start({ configure: inFront.configure });
    expect(ahead(push)).toBe(false);
    const request = rawRequest(`${inFront.prefix ?? ''}${ALL}`, { user: 'bob@example.com', headers: inFront.headers });
    const stream = await exchange(push, request);
    expect(stream.status).toBe(200);
    expect(inFront.ran(stream)).toBe(true);
  });

  it('is not stopped by middleware mounted on another path, which Express would not run for it', async () => {
    let ran = 0;
    const push = await start({
      configure: (app) => {
        app.use('/api', (_request: IncomingMessage, _response: ServerResponse, next: () => void) => {
          ran++;
          next();
        });
      },
    });
    expect(ahead(push)).toBe(true);
    expect((await exchange(push, rawRequest(ALL, { user: 'bob@example.com' }))).status).toBe(200);
    expect(ran).toBe(0);
  });

  it('hands requests back to Express once the application closes', async () => {
    const push = await start();
    const express = push.app.getHttpAdapter().getInstance() as { handle: unknown };
    const wrapped = express.handle;
    await push.close();
    apps.splice(0);
    expect(express.handle).not.toBe(wrapped);
    expect(push.app.get(DirectRoute).active).toBe(false);
  });
});

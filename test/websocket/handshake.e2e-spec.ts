// Issue 13, "The endpoint" 1: every refusal of a JMAP WebSocket handshake (RFC 8887 section 4.2, RFC 6455
// section 4) is an HTTP answer with problem details before any 101, read here off raw sockets.
import { waitUntil } from '../support/wait';
import { basicAuth } from '../support/sse-client';
import { openJmapSocket } from '../support/ws-client';
import { tableAuthenticator, DEFAULT_USERS } from '../support/push-app';
import { rawHandshake, startWsApp, wsSettled, type HandshakeAnswer, type WsApp } from './support/ws-app';

const SECRET = 'websocket-handshake-test-secret-0123456789';
const BOB = basicAuth('bob@example.com', 'bob-secret');

function expectProblem(answer: HandshakeAnswer, status: number): Record<string, unknown> {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.headers.upgrade).toBeUndefined();
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(answer.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack
  return problem;
}

describe('the JMAP WebSocket handshake', () => {
  let push: WsApp;
  beforeAll(async () => {
    push = await startWsApp({
      authenticator: {
        ...tableAuthenticator(DEFAULT_USERS),
        authenticateBearer: (token: string) =>
          token === 'bob-token' ? { id: 'bob@example.com', accountIds: ['acc-bob'] } : null,
      },
      browserSessions: { secret: SECRET, secure: false },
    });
  });
  afterAll(() => push.close());
  afterEach(() => wsSettled(push));

  it('401 with the Basic and Bearer challenges without credentials or with wrong ones (RFC 8887 section 4.2)', async () => {
    for (const authorization of [undefined, basicAuth('bob@example.com', 'wrong'), 'Bearer nope']) {
      const answer = await rawHandshake(push.port, { Authorization: authorization });
      expectProblem(answer, 401);
      expect(answer.headers['www-authenticate'].split('\n')).toEqual(
        expect.arrayContaining(['Basic realm="JMAP", charset="UTF-8"', expect.stringMatching(/^Bearer realm="JMAP"/)]),
      );
    }
  });

  it('upgrades with Basic and with Bearer credentials', async () => {
    expect((await rawHandshake(push.port, { Authorization: BOB })).status).toBe(101);
    expect((await rawHandshake(push.port, { Authorization: 'Bearer bob-token' })).status).toBe(101);
  });

  it('400 when the client does not offer the jmap subprotocol (RFC 8887 section 4.2)', async () => {
    for (const offered of [undefined, 'chat', 'jmapx, chat']) {
      const problem = expectProblem(
        await rawHandshake(push.port, { Authorization: BOB, 'Sec-WebSocket-Protocol': offered }),
        400,
      );
      expect(problem.detail).toContain('jmap');
    }
  });

  it('selects jmap only when offered, among others (RFC 6455 section 4.1 and 4.2.2)', async () => {
    const answer = await rawHandshake(push.port, { Authorization: BOB, 'Sec-WebSocket-Protocol': 'chat, jmap' });
    expect(answer.status).toBe(101);
    expect(answer.headers['sec-websocket-protocol']).toBe('jmap');
    const socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com', protocols: ['x-other', 'jmap'] });
    expect(socket.ws.protocol).toBe('jmap');
    socket.close();
    await socket.closed;
  });

  it.each([
    ['no Sec-WebSocket-Key', { 'Sec-WebSocket-Key': undefined }, 400],
    ['a malformed Sec-WebSocket-Key', { 'Sec-WebSocket-Key': 'short' }, 400],
    ['an unknown Sec-WebSocket-Version', { 'Sec-WebSocket-Version': '7' }, 400],
    ['an Upgrade other than websocket', { Upgrade: 'h2c' }, 400],
    ['a malformed Sec-WebSocket-Protocol', { 'Sec-WebSocket-Protocol': 'jmap,,chat' }, 400],
  ])(
    'a handshake with %s is refused with problem details, and its slot comes back (RFC 6455 section 4.2.1)',
    async (_what, headers, status) => {
      const answer = await rawHandshake(push.port, { Authorization: BOB, ...headers });
      expectProblem(answer, status);
      if ('Sec-WebSocket-Version' in headers) expect(answer.headers['sec-websocket-version']).toBe('13, 8');
    },
  );

  it('a handshake that is not a GET is refused with 405 (RFC 6455 section 4.1)', async () => {
    const answer = await rawHandshake(push.port, { Authorization: BOB }, '/jmap/ws', 'POST');
    expectProblem(answer, 405);
    expect(answer.headers.allow).toBe('GET');
  });

  it('credentials are checked before the subprotocol: no credentials and no jmap is a 401', async () => {
    expectProblem(await rawHandshake(push.port, { 'Sec-WebSocket-Protocol': undefined }), 401);
  });

  it('404 for another path, and a plain GET on the endpoint is no upgrade', async () => {
    expectProblem(await rawHandshake(push.port, { Authorization: BOB }, '/jmap/elsewhere'), 404);
    const plain = await fetch(push.wsUrl.replace('ws:', 'http:'), { headers: { Authorization: BOB } });
    expect(plain.status).toBe(404);
  });

  describe('browser-session cookies', () => {
    async function signIn(): Promise<string> {
      const response = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
        method: 'POST',
        headers: { Authorization: BOB },
      });
      expect(response.status).toBe(204);
      const cookies = response.headers.getSetCookie();
      // One cookie per endpoint path, so the browser sends it on the WebSocket handshake too.
      expect(cookies.map((cookie) => /Path=([^;]+)/.exec(cookie)?.[1]).sort()).toEqual([
        '/jmap/eventsource',
        '/jmap/ws',
      ]);
      return cookies[0].split(';')[0];
    }

    it('a signed-in browser opens the socket with its cookie alone, from its own origin', async () => {
      const cookie = await signIn();
      const answer = await rawHandshake(push.port, { Cookie: cookie, Origin: `http://127.0.0.1:${push.port}` });
      expect(answer.status).toBe(101);
      expect((await rawHandshake(push.port, { Cookie: cookie })).status).toBe(101);
    });

    it('403 for a cookie handshake from another origin (cross-site WebSocket hijacking)', async () => {
      const cookie = await signIn();
      const problem = expectProblem(
        await rawHandshake(push.port, { Cookie: cookie, Origin: 'https://evil.example' }),
        403,
      );
      expect(problem.detail).toMatch(/origin/i);
      // With its own credentials, another origin's page is fine (nothing the browser adds on its own).
      expect((await rawHandshake(push.port, { Authorization: BOB, Origin: 'https://app.example' })).status).toBe(101);
    });

    it('401 with the Session challenge for a forged cookie', async () => {
      const cookie = await signIn();
      const answer = await rawHandshake(push.port, { Cookie: `${cookie.split('.')[0]}.forged` });
      expectProblem(answer, 401);
      expect(answer.headers['www-authenticate']).toBe('Session realm="JMAP"');
    });
  });
});

describe('a failing directory', () => {
  it('503 with Retry-After when the authenticator throws, 400 for two Authorization headers', async () => {
    const push = await startWsApp({
      authenticator: {
        authenticateBasic: () => {
          throw new Error('directory down: ldap://10.0.0.1');
        },
      },
      retryAfterSeconds: 3,
    });
    try {
      const answer = await rawHandshake(push.port, { Authorization: BOB });
      const problem = expectProblem(answer, 503);
      expect(answer.headers['retry-after']).toBe('3');
      expect(JSON.stringify(problem)).not.toContain('ldap');
      // `rawHandshake` sends one header per name; two are spliced into the Host line's value.
      const twice = await rawHandshake(push.port, {
        Host: `127.0.0.1:${push.port}\r\nAuthorization: ${BOB}\r\nAuthorization: ${BOB}`,
      });
      expectProblem(twice, 400);
      await wsSettled(push);
    } finally {
      await push.close();
    }
  });
});

describe('allowedOrigins', () => {
  let push: WsApp;
  beforeAll(async () => {
    push = await startWsApp({}, { allowedOrigins: ['https://app.example'] });
  });
  afterAll(() => push.close());

  it('403 for an Origin neither listed nor the server’s own, even with credentials; listed and own pass', async () => {
    expectProblem(await rawHandshake(push.port, { Authorization: BOB, Origin: 'https://evil.example' }), 403);
    expect(push.metrics.snapshot().rejections.forbidden).toBe(1);
    expect((await rawHandshake(push.port, { Authorization: BOB, Origin: 'https://APP.example' })).status).toBe(101);
    const own = await rawHandshake(push.port, { Authorization: BOB, Origin: `http://127.0.0.1:${push.port}` });
    expect(own.status).toBe(101);
    // Not from a browser at all: no Origin to check.
    expect((await rawHandshake(push.port, { Authorization: BOB })).status).toBe(101);
    await wsSettled(push);
  });
});

describe('stream limits count sockets from their handshake', () => {
  it('429 with Retry-After past maxStreamsPerPrincipal, and the slot comes back when the socket closes', async () => {
    const push = await startWsApp({ maxStreamsPerPrincipal: 2, retryAfterSeconds: 7 });
    try {
      const one = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      const stream = await fetch(push.url('types=*&closeafter=no&ping=0'), { headers: { Authorization: BOB } });
      expect(stream.status).toBe(200); // an event source and a socket share the principal's slots
      const answer = await rawHandshake(push.port, { Authorization: BOB });
      const problem = expectProblem(answer, 429);
      expect(answer.headers['retry-after']).toBe('7');
      expect(problem.type).toBe('urn:ietf:params:jmap:error:limit');
      // Another principal is not limited by bob's sockets.
      expect(
        (await rawHandshake(push.port, { Authorization: basicAuth('carol@example.com', 'carol-secret') })).status,
      ).toBe(101);
      one.close();
      await one.closed;
      await wsSettledFor(push, 1);
      const again = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      again.close();
      await again.closed;
      await stream.body?.cancel();
    } finally {
      await push.close();
    }
  });

  it('429 with Retry-After past maxStreams', async () => {
    const push = await startWsApp({ maxStreams: 1 });
    try {
      const one = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      const answer = await rawHandshake(push.port, { Authorization: basicAuth('carol@example.com', 'carol-secret') });
      expectProblem(answer, 429);
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      one.close();
      await one.closed;
    } finally {
      await push.close();
    }
  });
});

/** Waits until the app holds exactly `n` subscriptions. */
async function wsSettledFor(push: WsApp, n: number): Promise<void> {
  await waitUntil(() => push.metrics.snapshot().openStreams === n, `${n} subscription(s) held`);
}

// JMAP over WebSocket (RFC 8887) through the running reference server: the API's code path, limits and
// errors, push on delivery, the Session capability, and the browser cookie.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { enablePush, openJmapSocket, type JmapSocket } from '../support/ws-client';
import { sendLmtp } from './support/lmtp-client';
import { ACCOUNT, startServer, USERS, USING, type Invocation, type TestServer } from './support/server-fixture';

describe('JMAP over WebSocket on the reference server', () => {
  let server: TestServer;
  let url: string;
  const sockets: JmapSocket[] = [];
  beforeEach(async () => {
    server = await startServer();
    url = `${server.baseUrl.replace('http:', 'ws:')}/jmap/ws`;
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) {
      socket.close();
      await socket.closed;
    }
    await server.close();
  });

  const open = async (user: keyof typeof USERS, headers: Record<string, string> = {}) => {
    const socket = await openJmapSocket(url, { user: USERS[user].username, headers });
    sockets.push(socket);
    return socket;
  };
  /** Sends one Request and answers the message that carries its requestId. */
  const ask = async (socket: JmapSocket, id: string, body: Record<string, unknown>) => {
    socket.send({ '@type': 'Request', id, ...body });
    for (;;) {
      const message = await socket.next();
      if (message.requestId === id) return message;
    }
  };

  it('opens at the URL the Session advertises, and answers a read exactly as the HTTP API does', async () => {
    const session: any = await (
      await fetch(`${server.baseUrl}/.well-known/jmap`, { headers: { Authorization: server.auth('alice') } })
    ).json();
    expect(session.capabilities['urn:ietf:params:jmap:websocket']).toEqual({ url, supportsPush: true });
    const socket = await open('alice');
    expect(socket.ws.protocol).toBe('jmap');

    const methodCalls: Invocation[] = [
      ['Mailbox/get', { accountId: ACCOUNT.alice, ids: null }, 'm'],
      ['Mailbox/query', { accountId: ACCOUNT.bob, filter: { role: 'inbox' } }, 'q'],
      ['Email/query', { accountId: ACCOUNT.alice, filter: { inMailbox: '#q' } }, 'e'],
      ['Mailbox/get', { accountId: ACCOUNT.bob, '#ids': { resultOf: 'q', name: 'Mailbox/query', path: '/ids' } }, 'b'],
      ['Nope/get', {}, 'x'],
    ];
    const overHttp = await server.post('alice', { using: USING, methodCalls });
    expect(overHttp.status).toBe(200);
    const { '@type': type, requestId, ...overSocket } = await ask(socket, 'R1', { using: USING, methodCalls });
    expect([type, requestId]).toEqual(['Response', 'R1']);
    expect(overSocket).toEqual(overHttp.body);
    expect(overHttp.body.methodResponses[4]).toEqual([
      'error',
      expect.objectContaining({ type: 'unknownMethod' }),
      'x',
    ]);
  });

  it('writes through the API: Mailbox/set and Email/set with creation ids, seen over HTTP after', async () => {
    const socket = await open('alice');
    const response: any = await ask(socket, 'W1', {
      using: USING,
      methodCalls: [
        ['Mailbox/set', { accountId: ACCOUNT.alice, create: { box: { name: 'Over the socket' } } }, 's'],
        [
          'Email/set',
          {
            accountId: ACCOUNT.alice,
            create: { mail: { mailboxIds: { '#box': true }, subject: 'Sent over a WebSocket', keywords: {} } },
          },
          'e',
        ],
      ],
      createdIds: {},
    });
    expect(response['@type']).toBe('Response');
    const [[, mailboxes], [, emails]] = response.methodResponses as Invocation[];
    const boxId = mailboxes.created.box.id as string;
    const emailId = emails.created.mail.id as string;
    expect(response.createdIds).toEqual({ box: boxId, mail: emailId });
    const seen = await server.one('alice', 'Email/get', { accountId: ACCOUNT.alice, ids: [emailId] });
    expect(seen.list[0]).toMatchObject({ subject: 'Sent over a WebSocket', mailboxIds: { [boxId]: true } });
    expect(seen.state).toBe(emails.newState);
    expect(response.sessionState).toBe(
      (await server.post('alice', { using: USING, methodCalls: [] })).body.sessionState,
    );
  });

  it("answers the HTTP API's request-level errors as RequestErrors, and the socket stays usable", async () => {
    const socket = await open('alice');
    const calls = (count: number) => Array.from({ length: count }, (_, i): Invocation => ['Core/echo', {}, `c${i}`]);
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      // RFC 8620 section 3.6.1
      [
        { using: ['urn:example:nope'], methodCalls: [] },
        { type: 'urn:ietf:params:jmap:error:unknownCapability', status: 400 },
      ],
      [
        { using: USING, methodCalls: calls(17) },
        { type: 'urn:ietf:params:jmap:error:limit', status: 400, limit: 'maxCallsInRequest' },
      ],
    ];
    for (const [index, [body, expected]] of cases.entries()) {
      const overHttp = await server.post('alice', body);
      const { '@type': type, requestId, title, ...overSocket } = await ask(socket, `E${index}`, body);
      expect([type, requestId, typeof title]).toEqual(['RequestError', `E${index}`, 'string']);
      expect(overSocket).toEqual(expect.objectContaining(expected));
      expect(overSocket).toEqual(overHttp.body);
    }
    // maxSizeRequest of the Session bounds a message as it bounds a body.
    socket.send(`{"@type":"Request","id":"big","using":[],"methodCalls":[],"x":"${'a'.repeat(10_000_000)}"}`);
    expect(await socket.next()).toMatchObject({
      '@type': 'RequestError',
      type: 'urn:ietf:params:jmap:error:limit',
      limit: 'maxSizeRequest',
    });
    expect(await ask(socket, 'after', { using: USING, methodCalls: calls(1) })).toMatchObject({ '@type': 'Response' });
  });

  it('counts socket requests against the same per-user maxConcurrentRequests as HTTP requests', async () => {
    const socket = await open('alice');
    // Four HTTP requests whose bodies never finish hold every one of alice's API slots.
    const held: ClientRequest[] = [];
    const { port } = new URL(server.baseUrl);
    for (let i = 0; i < 4; i++) {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/jmap/api',
        method: 'POST',
        headers: { Authorization: server.auth('alice'), 'Content-Type': 'application/json', 'Content-Length': '100' },
      });
      request.on('error', () => undefined);
      request.write('{');
      held.push(request);
    }
    try {
      // The fifth HTTP request is refused once the four are in: then the socket's must be too.
      for (;;) {
        const { status } = await server.post('alice', { using: USING, methodCalls: [] });
        if (status === 429) break;
      }
      expect(await ask(socket, 'C1', { using: USING, methodCalls: [] })).toMatchObject({
        '@type': 'RequestError',
        type: 'urn:ietf:params:jmap:error:limit',
        limit: 'maxConcurrentRequests',
      });
      // Another user's socket is not limited by alice's requests.
      expect(await ask(await open('bob'), 'C2', { using: USING, methodCalls: [] })).toMatchObject({
        '@type': 'Response',
      });
    } finally {
      for (const request of held) request.destroy();
    }
  });

  it('pushes a delivery over LMTP as the StateChange of the enabled dataTypes, with a pushState', async () => {
    const socket = await open('alice');
    await enablePush(socket, { dataTypes: ['Email', 'EmailDelivery'] });
    await sendLmtp(
      server.lmtpPort!,
      { from: USERS.carol.username, to: [USERS.alice.username] },
      'From: carol@example.com\r\nTo: alice@example.com\r\nSubject: Pushed\r\n\r\nHi\r\n',
    );
    const change = await socket.next();
    // RFC 8887 section 4.3.5.1: only the types asked for (no Mailbox, no Thread), with the resume token.
    expect(change).toEqual({
      '@type': 'StateChange',
      changed: { [ACCOUNT.alice]: { Email: expect.any(String), EmailDelivery: expect.any(String) } },
      pushState: expect.stringMatching(/^\d+-\d+$/),
    });
    const [[, got]] = await server.call('alice', [['Email/get', { accountId: ACCOUNT.alice, ids: [] }, 'g']]);
    expect((change.changed as any)[ACCOUNT.alice].Email).toBe(got.state);
  });

  /** Signs alice in as the page does; answers the cookie the browser would send to the socket. */
  const socketCookie = async (on: TestServer) => {
    const signIn = await fetch(`${on.baseUrl}/jmap/eventsource/session`, {
      method: 'POST',
      headers: { Authorization: on.auth('alice') },
    });
    expect(signIn.status).toBe(204);
    const cookies = signIn.headers.getSetCookie();
    expect(cookies.map((cookie) => /Path=([^;]+)/.exec(cookie)?.[1]).sort()).toEqual(['/jmap/eventsource', '/jmap/ws']);
    return /^([^;]+)/.exec(cookies.find((value) => value.includes('Path=/jmap/ws'))!)![1];
  };

  it('authenticates a browser by the session cookie of sign-in, from its own origin only', async () => {
    const cookie = await socketCookie(server);

    const own = await openJmapSocket(url, { headers: { Cookie: cookie, Origin: server.baseUrl } });
    sockets.push(own);
    await enablePush(own, { dataTypes: ['Mailbox'] });
    await server.one('alice', 'Mailbox/set', { accountId: ACCOUNT.alice, create: { m: { name: 'Cookie' } } });
    expect(await own.next()).toMatchObject({ '@type': 'StateChange', changed: { [ACCOUNT.alice]: {} } });
    // Cross-site WebSocket hijacking: another site's page would send the same cookie.
    await expect(
      openJmapSocket(url, { headers: { Cookie: cookie, Origin: 'https://evil.example' } }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  it('lets the pages of CORS_ORIGINS open a socket with the cookie, and no other site', async () => {
    const app = 'http://app.example.org:5173';
    const trusting = await startServer({ lmtpPort: null, corsOrigins: [app] });
    try {
      const cookie = await socketCookie(trusting);
      const at = `${trusting.baseUrl.replace('http:', 'ws:')}/jmap/ws`;
      const socket = await openJmapSocket(at, { headers: { Cookie: cookie, Origin: app } });
      socket.close();
      await socket.closed;
      await expect(
        openJmapSocket(at, { headers: { Cookie: cookie, Origin: 'https://evil.example' } }),
      ).rejects.toMatchObject({
        statusCode: 403,
      });
    } finally {
      await trusting.close();
    }
  });
});

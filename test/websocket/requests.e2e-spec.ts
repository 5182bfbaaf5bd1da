// Issue 13, "The endpoint" 2: JMAP Requests over a WebSocket (RFC 8887 section 4.3.3) and every way one can
// go wrong, answered as a RequestError (section 4.3.4) on a socket that stays usable; and the metrics.
import { JmapRequestError, type JmapRequestHandler, type JmapResponse } from 'jmap-push';
import { expectLogged } from '../support/expected-logs';
import { waitUntil, within } from '../support/wait';
import { openJmapSocket, type JmapSocket } from '../support/ws-client';
import { basicAuth } from '../support/sse-client';
import { EchoHandler, rawHandshake, request, startWsApp, wsSettled, type WsApp } from './support/ws-app';

const MAX_MESSAGE = 4096;

/** Throws a JMAP request error for `Test/limit`, a plain Error for `Test/crash`; echoes otherwise. */
class FailingHandler extends EchoHandler {
  // Not async: a synchronous throw must be caught as well as a rejection.
  override handle(...[jmapRequest, authentication]: Parameters<JmapRequestHandler['handle']>): Promise<JmapResponse> {
    const [name] = jmapRequest.methodCalls[0] ?? [''];
    if (name === 'Test/unknownCapability') {
      throw new JmapRequestError({
        type: 'urn:ietf:params:jmap:error:unknownCapability',
        status: 400,
        title: 'Unknown capability',
        detail: 'urn:example:nope is not supported',
      });
    }
    if (name === 'Test/crash') throw new Error('secret internals: /srv/db password=hunter2');
    if (name === 'Test/reject') return Promise.reject(new TypeError('async internals'));
    return super.handle(jmapRequest, authentication);
  }
}

describe('JMAP Requests over a WebSocket', () => {
  let push: WsApp;
  let handler: FailingHandler;
  let socket: JmapSocket;
  beforeAll(async () => {
    handler = new FailingHandler();
    push = await startWsApp({}, { requestHandler: handler, maxConcurrentRequests: 2, maxMessageBytes: MAX_MESSAGE });
  });
  afterAll(() => push.close());
  beforeEach(async () => {
    socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
  });
  afterEach(async () => {
    socket.close();
    await socket.closed;
    await wsSettled(push);
  });

  /** The socket still answers a Request (every failure below leaves it usable). */
  async function expectUsable(): Promise<void> {
    socket.send(request('still-there'));
    expect(await socket.next()).toMatchObject({ '@type': 'Response', requestId: 'still-there' });
  }

  it('answers a Request with a Response carrying its requestId (RFC 8887 section 4.3.3)', async () => {
    socket.send({ ...(request('R1', 'Core/echo', { hello: 'world' }) as object), createdIds: { k: 'v' } });
    expect(await socket.next()).toEqual({
      '@type': 'Response',
      requestId: 'R1',
      methodResponses: [['Core/echo', { hello: 'world', principal: 'bob@example.com' }, 'c1']],
      sessionState: 's1',
    });
    // Without an id, the Response has none.
    socket.send({ '@type': 'Request', using: [], methodCalls: [] });
    const response = await socket.next();
    expect(response['@type']).toBe('Response');
    expect(response).not.toHaveProperty('requestId');
  });

  it('answers out of order: a fast Request overtakes a slow one (RFC 8887 section 4.3.3)', async () => {
    socket.send(request('slow', 'Test/wait'));
    socket.send(request('fast'));
    expect(await socket.next()).toMatchObject({ '@type': 'Response', requestId: 'fast' });
    expect(handler.parked).toBe(1);
    handler.release();
    expect(await socket.next()).toMatchObject({ '@type': 'Response', requestId: 'slow' });
  });

  it('beyond maxConcurrentRequests: a RequestError limit naming it, and the others still complete', async () => {
    socket.send(request('w1', 'Test/wait'));
    socket.send(request('w2', 'Test/wait'));
    socket.send(request('w3', 'Test/wait'));
    expect(await socket.next()).toEqual({
      '@type': 'RequestError',
      requestId: 'w3',
      type: 'urn:ietf:params:jmap:error:limit',
      limit: 'maxConcurrentRequests',
      status: 400,
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(handler.parked).toBe(2);
    handler.release();
    handler.release();
    const done = [await socket.next(), await socket.next()].map((message) => message.requestId).sort();
    expect(done).toEqual(['w1', 'w2']);
    await expectUsable();
  });

  it('malformed JSON: a RequestError notJSON (RFC 8887 section 4.3.4)', async () => {
    socket.send('{"@type":"Request",');
    expect(await socket.next()).toMatchObject({
      '@type': 'RequestError',
      type: 'urn:ietf:params:jmap:error:notJSON',
      status: 400,
    });
    await expectUsable();
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'hello'],
    ['no @type', { id: 'n1', using: [], methodCalls: [] }],
    ['an unknown @type', { '@type': 'Response', id: 'n1' }],
    ['methodCalls not invocations', { '@type': 'Request', id: 'n1', using: [], methodCalls: [['x', 1, 'c']] }],
    ['using not strings', { '@type': 'Request', id: 'n1', using: [1], methodCalls: [] }],
    ['a non-string id', { '@type': 'Request', id: 7, using: [], methodCalls: [] }],
    ['bad dataTypes', { '@type': 'WebSocketPushEnable', dataTypes: 'Email' }],
    ['bad pushState', { '@type': 'WebSocketPushEnable', dataTypes: null, pushState: 5 }],
  ])('not a Request (%s): a RequestError notRequest', async (_what, message) => {
    socket.send(JSON.stringify(message));
    const error = await socket.next();
    expect(error).toMatchObject({
      '@type': 'RequestError',
      type: 'urn:ietf:params:jmap:error:notRequest',
      status: 400,
    });
    // RFC 8887 section 4.3.4: the id of the offending message, when it had a string one.
    const id = (message as { id?: unknown }).id;
    expect(error.requestId).toBe(typeof id === 'string' ? id : undefined);
    await expectUsable();
  });

  it('a message over maxMessageBytes: a RequestError limit maxSizeRequest, and the socket stays usable', async () => {
    socket.send(JSON.stringify(request('big', 'Core/echo', { pad: 'x'.repeat(MAX_MESSAGE) })));
    expect(await socket.next()).toMatchObject({
      '@type': 'RequestError',
      type: 'urn:ietf:params:jmap:error:limit',
      limit: 'maxSizeRequest',
      status: 400,
    });
    await expectUsable();
  });

  it('a message over twice maxMessageBytes is not buffered: close 1009 (RFC 6455 section 7.4.1)', async () => {
    socket.send(JSON.stringify(request('huge', 'Core/echo', { pad: 'x'.repeat(2 * MAX_MESSAGE) })));
    expect(await within(socket.closed, 2000, 'the socket closes')).toBe(1009);
  });

  it('a handler throwing JmapRequestError: that problem as the RequestError', async () => {
    socket.send(request('u1', 'Test/unknownCapability'));
    expect(await socket.next()).toEqual({
      '@type': 'RequestError',
      requestId: 'u1',
      type: 'urn:ietf:params:jmap:error:unknownCapability',
      status: 400,
      title: 'Unknown capability',
      detail: 'urn:example:nope is not supported',
    });
    await expectUsable();
  });

  it('a handler throwing anything else: a 500 RequestError without internals', async () => {
    // The failure is logged for the operator (expected here), never sent to the client.
    await expectLogged('error', /^The JMAP request handler failed: (secret|async) internals/, async () => {
      socket.send(request('c1', 'Test/crash'));
      socket.send(request('c2', 'Test/reject'));
      for (const id of ['c1', 'c2']) {
        const error = await socket.next();
        expect(error).toMatchObject({ '@type': 'RequestError', requestId: id, status: 500 });
        expect(JSON.stringify(error)).not.toMatch(/internals|hunter2|TypeError|\.[jt]s:\d/);
      }
    });
    await expectUsable();
  });

  it('a binary frame closes the socket with 1003 (RFC 8887 section 4.2, RFC 6455 section 7.4.1)', async () => {
    socket.ws.send(Buffer.from(JSON.stringify(request('b1'))), { binary: true });
    expect(await within(socket.closed, 2000, 'the socket closes')).toBe(1003);
  });
});

describe('WebSocket metrics', () => {
  it('count refused handshakes by reason, as the event source does', async () => {
    const push = await startWsApp({ maxStreamsPerPrincipal: 1 });
    try {
      const bob = { Authorization: basicAuth('bob@example.com', 'bob-secret') };
      await rawHandshake(push.port, {});
      await rawHandshake(push.port, { ...bob, 'Sec-WebSocket-Protocol': 'chat' });
      await rawHandshake(push.port, { ...bob, 'Sec-WebSocket-Key': 'short' });
      const held = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      await rawHandshake(push.port, bob);
      expect(push.metrics.snapshot().rejections).toEqual({
        unauthorized: 1,
        badRequest: 2,
        forbidden: 0,
        tooManyStreams: 1,
        unavailable: 0,
      });
      held.close();
      await held.closed;
    } finally {
      await push.close();
    }
  });

  it('count sockets open and opened, Requests and RequestErrors', async () => {
    const push = await startWsApp();
    try {
      const before = push.metrics.snapshot();
      expect(before).toMatchObject({
        webSockets: 0,
        webSocketsOpened: 0,
        webSocketRequests: 0,
        webSocketRequestErrors: 0,
      });
      const a = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      const b = await openJmapSocket(push.wsUrl, { user: 'alice@example.com' });
      expect(push.metrics.snapshot()).toMatchObject({ webSockets: 2, webSocketsOpened: 2, openStreams: 2 });
      a.send(request('r1'));
      a.send(request('r2'));
      await a.next();
      await a.next();
      b.send('not json');
      b.send('[]');
      await b.next();
      await b.next();
      expect(push.metrics.snapshot()).toMatchObject({ webSocketRequests: 2, webSocketRequestErrors: 2 });
      a.close();
      await a.closed;
      await waitUntil(() => push.metrics.snapshot().webSockets === 1, 'the server saw the close');
      expect(push.metrics.snapshot()).toMatchObject({ webSockets: 1, webSocketsOpened: 2 });
      b.close();
      await b.closed;
      await wsSettled(push);
      expect(push.metrics.snapshot()).toMatchObject({ webSockets: 0, webSocketsOpened: 2, openStreams: 0 });
    } finally {
      await push.close();
    }
  });
});

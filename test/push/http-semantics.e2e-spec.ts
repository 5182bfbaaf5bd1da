// HTTP/1.1 as the event source speaks it over one connection, on both transports and raw sockets:
// pipelined requests (RFC 9112 section 9.3.2), HEAD (RFC 9110 section 9.3.2), `Connection: close` and
// HTTP/1.0 (RFC 9112 section 9.6), repeated `Authorization`, and one head for both transports.
import { SubscriptionAdmission } from 'jmap-push/subscription/subscription-admission';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import type { MergedChanges } from 'jmap-push';
import { EVENT_STREAM_HEAD, headersWithoutDate } from '../support/event-stream-head';
import { DEFAULT_USERS, startPushApp, tableAuthenticator, type PushApp } from '../support/push-app';
import { ScriptedBus } from '../support/scripted-bus';
import { waitUntil } from '../support/wait';
import { headerOf, parseResponses, rawRequest, RawConnection, type RawResponse } from '../support/raw-connection';
import { TRANSPORTS, type Transport } from '../support/transports';

const PATH = '/jmap/eventsource';
const EMAIL = `${PATH}?types=Email&closeafter=no&ping=0`;
const MAILBOX = `${PATH}?types=Mailbox&closeafter=no&ping=0`;

function held(push: PushApp): { subscriptions: number; slots: number } {
  return { subscriptions: push.app.get(SubscriptionRegistry).size, slots: push.app.get(SubscriptionAdmission).held };
}

describe.each(TRANSPORTS)('HTTP on one connection (%s transport)', (transport) => {
  let push: PushApp;
  let port: number;
  const connections: RawConnection[] = [];
  const connection = () => {
    const made = new RawConnection(port);
    connections.push(made);
    return made;
  };

  beforeAll(async () => {
    push = await startPushApp({ transport });
    port = Number(new URL(push.baseUrl).port);
  });
  afterEach(async () => {
    for (const made of connections.splice(0)) made.destroy();
    await waitUntil(() => held(push).subscriptions === 0, 'every subscription is released');
  });
  afterAll(() => push.close());

  it("writes a pipelined stream's changes only into its own response, never into the one before it", async () => {
    const client = connection();
    // bob may read acc-bob and acc-alice; carol only acc-carol. carol's request waits behind bob's stream.
    client.write(
      rawRequest(`${PATH}?types=Email&closeafter=state&ping=0`, { user: 'bob@example.com' }) +
        rawRequest(MAILBOX, { user: 'carol@example.com' }),
    );
    await client.until((data) => data.includes('retry: 2000'), "bob's stream to open");
    await waitUntil(() => held(push).subscriptions === 2, 'both requests to be admitted');
    await push.stateChanges.publish('acc-carol', { Mailbox: 'carols-secret-mailbox' });
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    await client.until((data) => parseResponses(data, ['GET', 'GET']).length === 2, "carol's response");
    const [bobs, carols] = parseResponses(client.data, ['GET', 'GET']);
    expect(bobs.complete).toBe(true);
    expect(bobs.body).not.toContain('carol');
    expect(bobs.body).toMatch(
      /^id: \S+\nretry: 2000\n\nevent: state\nid: \S+\ndata: {"@type":"StateChange","changed":{"acc-bob":{"Email":"e1"}}}\n\n$/,
    );
    // carol's stream got its own change, in its own response, once it owned the connection.
    await client.until(
      (data) => parseResponses(data, ['GET', 'GET'])[1].body.includes('carols-secret-mailbox'),
      "carol's change",
    );
    expect(carols.status).toBe(200);
    expect(parseResponses(client.data, ['GET', 'GET'])[1].body).toMatch(
      /"acc-carol":{"Mailbox":"carols-secret-mailbox"}/,
    );
  });

  it('releases a pipelined stream that never got the connection when the client leaves', async () => {
    // bob's whole limit of 32 streams, half of them queued behind the other half: were the queued ones
    // leaked, bob would get 429 from now on.
    for (let i = 0; i < 16; i++) {
      const client = connection();
      client.write(rawRequest(EMAIL, { user: 'bob@example.com' }) + rawRequest(MAILBOX, { user: 'bob@example.com' }));
      await client.until((data) => data.includes('retry: 2000'), 'the first stream to open');
    }
    await waitUntil(() => held(push).subscriptions === 32, 'every request to be admitted');
    for (const made of connections.splice(0)) made.destroy();
    await waitUntil(() => held(push).subscriptions === 0 && held(push).slots === 0, 'every queued stream is released');
    const after = connection();
    after.write(rawRequest(EMAIL, { user: 'bob@example.com' }));
    await after.until((data) => data.includes('retry: 2000'), 'a new stream for bob');
    expect(parseResponses(after.data, ['GET'])[0].status).toBe(200);
  });

  it('answers HEAD with the head of a GET and nothing else, holding no slot', async () => {
    const client = connection();
    client.write(
      rawRequest(EMAIL, { method: 'HEAD', user: 'bob@example.com' }) +
        rawRequest(`${PATH}?types=Email&closeafter=state&ping=0`, { user: 'bob@example.com' }),
    );
    await client.until((data) => data.includes('retry: 2000'), 'the GET after the HEAD');
    const [head, get] = parseResponses(client.data, ['HEAD', 'GET']);
    expect(head.status).toBe(200);
    // RFC 9112 section 6.1: Transfer-Encoding MAY be left out of a HEAD response (Node does); all else is equal.
    const chunked = ([name]: readonly [string, string]) => name !== 'transfer-encoding';
    expect(headersWithoutDate(head.headers).filter(chunked)).toEqual(headersWithoutDate(get.headers).filter(chunked));
    // The connection went on to the next request: the HEAD response was complete, without a body.
    expect(get.body.startsWith('id: ')).toBe(true);
    expect(held(push).subscriptions).toBe(1);
  });

  it('answers HEAD with the same refusals as GET', async () => {
    const client = connection();
    client.write(
      rawRequest(EMAIL, { method: 'HEAD' }) +
        rawRequest(`${PATH}?types=Nope&closeafter=no&ping=0`, { method: 'HEAD', user: 'bob@example.com' }),
    );
    await client.until((data) => parseResponses(data, ['HEAD', 'HEAD']).length === 2, 'two answers');
    expect(parseResponses(client.data, ['HEAD', 'HEAD']).map((r) => r.status)).toEqual([401, 400]);
  });

  it.each([
    ['Connection: close', '1.1', { Connection: 'close' }],
    ['HTTP/1.0', '1.0', {}],
  ])('says Connection: close to a %s request, and closes', async (_name, version, headers) => {
    const client = connection();
    client.write(
      rawRequest(`${PATH}?types=Email&closeafter=state&ping=0`, { user: 'bob@example.com', version, headers }),
    );
    await client.until((data) => data.includes('retry: 2000'), 'the stream to open');
    const [response] = parseResponses(client.data, ['GET']);
    expect(headerOf(response, 'Connection')).toBe('close');
    await push.stateChanges.publish('acc-bob', { Email: 'bye' });
    await client.closed;
    expect(client.data).toContain('"Email":"bye"');
  });

  it('says Connection: keep-alive to an HTTP/1.1 request, and keeps the connection after the stream', async () => {
    const client = connection();
    client.write(rawRequest(`${PATH}?types=Email&closeafter=state&ping=0`, { user: 'bob@example.com' }));
    await client.until((data) => data.includes('retry: 2000'), 'the stream to open');
    expect(headerOf(parseResponses(client.data, ['GET'])[0], 'Connection')).toBe('keep-alive');
    await push.stateChanges.publish('acc-bob', { Email: 'next' });
    await client.until((data) => parseResponses(data, ['GET']).at(0)?.complete ?? false, 'the stream to end');
    client.write(rawRequest(`${PATH}?types=Email&closeafter=state&ping=0`, { user: 'bob@example.com' }));
    await client.until(
      (data) => parseResponses(data, ['GET', 'GET']).length === 2,
      'a second response on the same connection',
    );
  });

  it('refuses a request with two Authorization headers (400), whichever comes first', async () => {
    const client = connection();
    client.write(
      rawRequest(EMAIL, {
        user: 'bob@example.com',
        headers: { Authorization: 'Basic Y2Fyb2xAZXhhbXBsZS5jb206Y2Fyb2wtc2VjcmV0' },
      }),
    );
    await client.until((data) => parseResponses(data, ['GET']).length === 1, 'the answer');
    const [response] = parseResponses(client.data, ['GET']);
    expect(response.status).toBe(400);
    expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 400, detail: expect.stringContaining('Authorization') });
  });
});

describe('both transports', () => {
  async function firstResponse(transport: Transport): Promise<RawResponse> {
    const push = await startPushApp({ transport });
    const client = new RawConnection(Number(new URL(push.baseUrl).port));
    try {
      client.write(rawRequest(EMAIL, { user: 'bob@example.com' }));
      await client.until((data) => data.includes('retry: 2000\n\n'), 'the first frame');
      return parseResponses(client.data, ['GET'])[0];
    } finally {
      client.destroy();
      await push.close();
    }
  }

  it('send the same head and the same first bytes', async () => {
    const sse = await firstResponse('sse');
    const direct = await firstResponse('direct');
    expect(headersWithoutDate(sse.headers)).toEqual(headersWithoutDate(direct.headers));
    expect(headersWithoutDate(direct.headers)).toEqual([...EVENT_STREAM_HEAD, ['transfer-encoding', 'chunked']]);
    // No leading empty line: the first bytes are the first frame.
    expect(sse.body).toMatch(/^id: \d+-\d+\nretry: 2000\n\n$/);
    expect(direct.body).toMatch(/^id: \d+-\d+\nretry: 2000\n\n$/);
  });
});

describe.each(TRANSPORTS)('a pipelined request whose client leaves while it is authenticated (%s)', (transport) => {
  it('is released: no subscription or slot is left behind', async () => {
    const table = tableAuthenticator(DEFAULT_USERS);
    let carolAsked!: () => void;
    const asked = new Promise<void>((resolve) => (carolAsked = resolve));
    let answerCarol!: () => void;
    const answer = new Promise<void>((resolve) => (answerCarol = resolve));
    const push = await startPushApp({
      transport,
      authenticator: {
        // A directory that takes its time (a database, bcrypt) for carol.
        async authenticateBasic(user, password) {
          if (user.startsWith('carol')) {
            carolAsked();
            await answer;
          }
          return table.authenticateBasic(user, password);
        },
      },
    });
    try {
      const client = new RawConnection(Number(new URL(push.baseUrl).port));
      client.write(rawRequest(EMAIL, { user: 'bob@example.com' }) + rawRequest(EMAIL, { user: 'carol@example.com' }));
      await client.until((data) => data.includes('retry: 2000'), "bob's stream to open");
      await asked;
      client.destroy();
      await client.closed;
      await waitUntil(() => held(push).subscriptions === 0, "bob's stream to be released");
      answerCarol();
      // carol's request is answered by the guard, after the connection is gone: nothing may be held for it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(held(push)).toEqual({ subscriptions: 0, slots: 0 });
    } finally {
      await push.close();
    }
  });
});

describe('both transports, while a replay is read', () => {
  async function waitingFrame(transport: Transport): Promise<string> {
    const bus = new ScriptedBus();
    let answer!: (changes: MergedChanges) => void;
    bus.changesSinceHook = () => new Promise<MergedChanges>((resolve) => (answer = resolve));
    const push = await startPushApp({ transport, bus });
    const client = new RawConnection(Number(new URL(push.baseUrl).port));
    try {
      client.write(rawRequest(EMAIL, { user: 'bob@example.com', headers: { 'Last-Event-ID': '1-1' } }));
      await client.until(
        (data) => parseResponses(data, ['GET']).at(0)?.body.includes('\n\n') ?? false,
        'a first frame',
      );
      answer({ id: '1-2', accounts: new Map() });
      return parseResponses(client.data, ['GET'])[0].body;
    } finally {
      client.destroy();
      await push.close();
    }
  }

  it('send the same bytes to say the stream is open', async () => {
    const sse = await waitingFrame('sse');
    expect(await waitingFrame('direct')).toBe(sse);
    expect(sse).toBe(': \n\n');
  });
});

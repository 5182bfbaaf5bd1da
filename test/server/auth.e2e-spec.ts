import { request } from 'node:http';
import { openEventStream } from '../support/sse-client';
import { ACCOUNT, startServer, startServerFromEnv, USERS, USING, type TestServer } from './support/server-fixture';

/** One request with exactly these header lines (repeated names included), over a real socket. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string | string[]>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (token: string) => `Bearer ${token}`;
const echo = JSON.stringify({ using: USING, methodCalls: [['Core/echo', { hi: 1 }, 'e']] });

describe('Bearer tokens (JMAP_TOKENS) on the reference server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerFromEnv({
      JMAP_USERS: 'alice@example.com:alice-secret,bob@example.com:bob-secret',
      JMAP_TOKENS: 'alice@example.com:alice-token,alice@example.com:alice-laptop,bob@example.com:bob-token',
      JMAP_SHARES: 'bob@example.com>alice@example.com',
    });
  });
  afterAll(() => server.close());

  it('opens the Session with a token, as jmap-jam sends it (Authorization: Bearer, nothing else)', async () => {
    const response = await rawRequest(`${server.baseUrl}/.well-known/jmap`, 'GET', {
      Authorization: bearer('alice-token'),
      Accept: 'application/json',
    });
    expect(response.status).toBe(200);
    const session = JSON.parse(response.body);
    expect(session.username).toBe(USERS.alice.username);
    expect(Object.keys(session.accounts).sort()).toEqual([ACCOUNT.alice, ACCOUNT.bob].sort());
  });

  it('runs API calls with either of two tokens of one user', async () => {
    for (const token of ['alice-token', 'alice-laptop']) {
      const response = await fetch(`${server.baseUrl}/jmap/api`, {
        method: 'POST',
        headers: { Authorization: bearer(token), 'Content-Type': 'application/json' },
        body: echo,
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as any).methodResponses).toEqual([['Core/echo', { hi: 1 }, 'e']]);
    }
  });

  it('streams push events to a Bearer client, and signs a browser in with a token', async () => {
    const stream = await openEventStream(`${server.baseUrl}/jmap/eventsource?types=*&closeafter=state&ping=0`, {
      Authorization: bearer('bob-token'),
    });
    expect(stream.status).toBe(200);
    await server.one('bob', 'Mailbox/set', { accountId: ACCOUNT.bob, create: { m: { name: 'Via token' } } });
    const frame = await stream.nextEvent('state');
    expect(Object.keys(JSON.parse(frame.data!).changed)).toEqual([ACCOUNT.bob]);
    stream.close();

    const signIn = await fetch(`${server.baseUrl}/jmap/eventsource/session`, {
      method: 'POST',
      headers: { Authorization: bearer('bob-token') },
    });
    expect(signIn.status).toBe(204);
    expect(signIn.headers.get('set-cookie')).toMatch(/^jmap_push_session=[^;]+;/);
  });

  it.each([
    ['an unknown token', bearer('mallory-token')],
    ['a password as a token', bearer('alice-secret')],
    ['a token as a password', `Basic ${Buffer.from('alice@example.com:alice-token').toString('base64')}`],
    ['a token with another case', bearer('ALICE-TOKEN')],
  ])('refuses %s with 401', async (_name, authorization) => {
    const response = await fetch(`${server.baseUrl}/.well-known/jmap`, { headers: { Authorization: authorization } });
    expect(response.status).toBe(401);
  });

  it('gives the demo tokens of the README when nothing is configured', async () => {
    const demo = await startServerFromEnv({});
    try {
      const response = await fetch(`${demo.baseUrl}/.well-known/jmap`, {
        headers: { Authorization: bearer('bob-token') },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as any).username).toBe('bob@example.com');
    } finally {
      await demo.close();
    }
  });
});

describe('one 401 for the whole server (issue 11 point 15)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ lmtpPort: null });
  });
  afterAll(() => server.close());

  const unauthorized = async (url: string, method: string, authorization?: string) => {
    const response = await rawRequest(
      url,
      method,
      { 'Content-Type': 'application/json', ...(authorization && { Authorization: authorization }) },
      method === 'POST' ? echo : undefined,
    );
    return {
      status: response.status,
      body: JSON.parse(response.body),
      challenges: response.headers['www-authenticate'],
      contentType: response.headers['content-type'],
    };
  };

  it.each([
    ['no credentials', undefined],
    ['a wrong password', `Basic ${Buffer.from('alice@example.com:nope').toString('base64')}`],
    ['a wrong token', bearer('nope')],
  ])('answers the API, the Session and the event source alike for %s', async (_name, authorization) => {
    const eventSource = await unauthorized(
      `${server.baseUrl}/jmap/eventsource?types=*&closeafter=no&ping=0`,
      'GET',
      authorization,
    );
    expect(eventSource.status).toBe(401);
    expect(eventSource.challenges).toBe('Basic realm="JMAP", charset="UTF-8", Bearer realm="JMAP"');
    for (const [url, method] of [
      [`${server.baseUrl}/jmap/api`, 'POST'],
      [`${server.baseUrl}/.well-known/jmap`, 'GET'],
      [`${server.baseUrl}/jmap/download/${ACCOUNT.alice}/b1/x.txt`, 'GET'],
    ] as const) {
      expect(await unauthorized(url, method, authorization)).toEqual(eventSource);
    }
  });
});

describe('two Authorization headers (issue 11 point 19)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ lmtpPort: null });
  });
  afterAll(() => server.close());

  it.each([
    ['the API', '/jmap/api', 'POST'],
    ['the Session', '/.well-known/jmap', 'GET'],
  ])('refuses them on %s with 400 instead of letting the first win', async (_name, path, method) => {
    const response = await rawRequest(
      `${server.baseUrl}${path}`,
      method,
      { Authorization: [server.auth('alice'), server.auth('bob')], 'Content-Type': 'application/json' },
      method === 'POST' ? echo : undefined,
    );
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({
      status: 400,
      detail: 'The request carries more than one Authorization header',
    });
  });

  it('refuses them even when both are the same valid credentials', async () => {
    const response = await rawRequest(`${server.baseUrl}/.well-known/jmap`, 'GET', {
      Authorization: [server.auth('alice'), server.auth('alice')],
    });
    expect(response.status).toBe(400);
  });
});

import { openEventStream } from '../support/sse-client';
import { ACCOUNT, startServerFromEnv, USING, type TestServer } from './support/server-fixture';

const TRUSTED = 'https://app.example.org';
const STRANGER = 'https://evil.example.net';

/** Issue 11 point 10: web clients on other origins, through the running server configured by `CORS_ORIGINS`. */
describe('CORS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerFromEnv({ CORS_ORIGINS: `${TRUSTED}, http://localhost:5173` });
  });
  afterAll(() => server.close());

  const preflight = (path: string, origin: string, method = 'POST') =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': 'authorization, content-type, last-event-id',
      },
    });
  const cors = (response: Response) => ({
    origin: response.headers.get('access-control-allow-origin'),
    credentials: response.headers.get('access-control-allow-credentials'),
    vary: response.headers.get('vary'),
  });

  it.each([
    '/jmap/api',
    '/.well-known/jmap',
    `/jmap/upload/${ACCOUNT.alice}/`,
    '/jmap/eventsource',
    '/jmap/eventsource/session',
  ])('answers a preflight to %s from any origin, without credentials', async (path) => {
    const response = await preflight(path, STRANGER);
    expect(response.status).toBe(204);
    expect(cors(response)).toEqual({ origin: '*', credentials: null, vary: 'Origin' });
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(/, */);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'last-event-id']));
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('names a CORS_ORIGINS origin back, with credentials, and never a stranger', async () => {
    for (const origin of [TRUSTED, 'http://localhost:5173']) {
      expect(cors(await preflight('/jmap/api', origin))).toEqual({ origin, credentials: 'true', vary: 'Origin' });
    }
    for (const origin of [STRANGER, `${TRUSTED}.evil.example.net`, 'null', TRUSTED.toUpperCase()]) {
      const answer = cors(await preflight('/jmap/api', origin));
      expect(answer.origin).toBe('*');
      expect(answer.credentials).toBeNull();
    }
  });

  it('lets a page on another origin call the API with an explicit Authorization header', async () => {
    const response = await fetch(`${server.baseUrl}/jmap/api`, {
      method: 'POST',
      headers: { Origin: STRANGER, Authorization: 'Bearer alice-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ using: USING, methodCalls: [['Core/echo', {}, 'e']] }),
    });
    expect(response.status).toBe(200);
    expect(cors(response)).toEqual({ origin: '*', credentials: null, vary: 'Origin' });
    expect(response.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
  });

  it('exposes the challenge of a 401 and keeps CORS on errors', async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/jmap`, { headers: { Origin: STRANGER } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
  });

  it('answers CORS on the event source stream and the download', async () => {
    const stream = await openEventStream(`${server.baseUrl}/jmap/eventsource?types=*&closeafter=no&ping=0`, {
      Origin: TRUSTED,
      Authorization: 'Bearer alice-token',
    });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['access-control-allow-origin']).toBe(TRUSTED);
      expect(stream.headers['access-control-allow-credentials']).toBe('true');
    } finally {
      stream.close();
    }
    const upload = await fetch(`${server.baseUrl}/jmap/upload/${ACCOUNT.alice}/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer alice-token', 'Content-Type': 'text/plain' },
      body: 'hello',
    });
    const { blobId } = (await upload.json()) as { blobId: string };
    const download = await fetch(`${server.baseUrl}/jmap/download/${ACCOUNT.alice}/${blobId}/a.txt`, {
      headers: { Origin: STRANGER, Authorization: 'Bearer alice-token' },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps the demo page same-origin', async () => {
    const response = await fetch(`${server.baseUrl}/`, { headers: { Origin: STRANGER } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('needs no Vary when no origin may use credentials: the answer is the same for all', async () => {
    const open = await startServerFromEnv({});
    try {
      const response = await fetch(`${open.baseUrl}/.well-known/jmap`, {
        headers: { Origin: TRUSTED, Authorization: 'Bearer bob-token' },
      });
      expect(response.status).toBe(200);
      expect(cors(response)).toEqual({ origin: '*', credentials: null, vary: null });
    } finally {
      await open.close();
    }
  });
});

import { basicAuth, openEventStream } from '../support/sse-client';
import { startPushApp, type PushApp } from '../support/push-app';
import { TRANSPORTS } from '../support/transports';

const SECRET = 'browser-session-test-secret-0123456789';

/** Signs bob in the way the page does and returns the cookie pair a browser would send back. */
async function signIn(push: PushApp): Promise<{ cookie: string; setCookie: string }> {
  const response = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
    method: 'POST',
    headers: { Authorization: basicAuth('bob@example.com', 'bob-secret') },
  });
  expect(response.status).toBe(204);
  const setCookie = response.headers.get('set-cookie') as string;
  return { setCookie, cookie: setCookie.split(';')[0] };
}

describe.each(TRANSPORTS)('browser sessions (%s)', (transport) => {
  let push: PushApp;
  beforeAll(async () => {
    push = await startPushApp({ transport, browserSessions: { secret: SECRET, secure: false } });
  });
  afterAll(() => push.close());

  it('a signed-in browser opens the event source with its cookie alone and gets its accounts’ changes', async () => {
    const { setCookie, cookie } = await signIn(push);
    expect(setCookie).toMatch(
      /^jmap_push_session=[\w-]+\.[\w-]+; Max-Age=28800; Path=\/jmap\/eventsource; HttpOnly; SameSite=Strict$/,
    );
    const stream = await openEventStream(push.url('types=Mailbox&closeafter=no&ping=0'), { Cookie: cookie });
    expect(stream.status).toBe(200);
    await stream.next();
    await push.stateChanges.publish('acc-carol', { Mailbox: 'not-bobs' });
    await push.stateChanges.publish('acc-alice', { Mailbox: 'm1' });
    const event = await stream.nextEvent('state');
    expect(JSON.parse(event.data as string)).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-alice': { Mailbox: 'm1' } },
    });
    stream.close();
  });

  it('refuses no cookie, a forged cookie and a signed-out cookie with 401', async () => {
    const { cookie } = await signIn(push);
    const url = push.url('types=*&closeafter=no&ping=0');
    expect((await fetch(url)).status).toBe(401);
    const [name, value] = cookie.split('=');
    const [payload] = value.split('.');
    const forged = await fetch(url, { headers: { Cookie: `${name}=${payload}.forged` } });
    expect(forged.status).toBe(401);
    // Never Basic for a refused cookie: the browser would prompt its user for a password.
    expect(forged.headers.get('www-authenticate')).toBe('Session realm="JMAP"');
    expect((await fetch(url)).headers.get('www-authenticate')).toBe('Basic realm="JMAP", charset="UTF-8"');
    const signOut = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
      method: 'DELETE',
      headers: { Cookie: cookie },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(/^jmap_push_session=; Max-Age=0;/);
    const refused = await fetch(url, { headers: { Cookie: cookie } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a forged signature of the right length, and a forged payload under a genuine signature', async () => {
    const { cookie } = await signIn(push);
    const url = push.url('types=*&closeafter=state&ping=0');
    const [name, value] = cookie.split('=');
    const [payload, signature] = value.split('.');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const carols = Buffer.from(JSON.stringify({ ...claims, acc: ['acc-carol'] })).toString('base64url');
    for (const forged of [`${payload}.${flipped}`, `${carols}.${signature}`]) {
      const response = await fetch(url, { headers: { Cookie: `${name}=${forged}` } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Session realm="JMAP"');
    }
    // The genuine value still opens: the refusals above are the forgeries'.
    const genuine = await openEventStream(url, { Cookie: cookie });
    expect(genuine.status).toBe(200);
    genuine.close();
  });

  it('mints a session only for real credentials in a header, never for a cookie', async () => {
    const { cookie } = await signIn(push);
    const withCookie = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
      method: 'POST',
      headers: { Cookie: cookie },
    });
    expect(withCookie.status).toBe(401);
    const wrong = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
      method: 'POST',
      headers: { Authorization: basicAuth('bob@example.com', 'wrong') },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('an Authorization header wins over a cookie', async () => {
    const { cookie } = await signIn(push);
    const response = await fetch(push.url('types=*&closeafter=state&ping=0'), {
      headers: { Cookie: cookie, Authorization: basicAuth('bob@example.com', 'wrong') },
    });
    expect(response.status).toBe(401);
  });
});

describe('browser sessions when not configured', () => {
  it('does not mount the sign-in routes at all', async () => {
    const push = await startPushApp();
    try {
      for (const method of ['POST', 'DELETE']) {
        const response = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
          method,
          headers: { Authorization: basicAuth('bob@example.com', 'bob-secret') },
        });
        expect(response.status).toBe(404);
        // Nest's own answer for a route nobody mapped, not the library's.
        expect(await response.text()).toContain(`Cannot ${method} /jmap/eventsource/session`);
      }
    } finally {
      await push.close();
    }
  });

  it('refuses a secret shorter than 32 characters at startup', async () => {
    await expect(startPushApp({ browserSessions: { secret: 'short' } })).rejects.toThrow(/at least 32 characters/);
  });
});

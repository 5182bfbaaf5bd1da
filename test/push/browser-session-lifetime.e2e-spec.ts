// A stream opened with a browser session cookie lives no longer than the session: it ends when the
// cookie expires and when the browser signs out (on this node), and the reconnect is refused.
import { DEFAULT_USERS, startPushApp, tableAuthenticator, type PushApp } from '../support/push-app';
import { within } from '../support/wait';
import { basicAuth, openEventStream } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';

const SECRET = 'browser-session-lifetime-test-secret-0123';
const ALL = 'types=*&closeafter=no&ping=0';

async function signOut(push: PushApp, cookie: string): Promise<void> {
  const response = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
    method: 'DELETE',
    headers: { Cookie: cookie },
  });
  expect(response.status).toBe(204);
}

async function signIn(push: PushApp): Promise<string> {
  const response = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
    method: 'POST',
    headers: { Authorization: basicAuth('bob@example.com', 'bob-secret') },
  });
  expect(response.status).toBe(204);
  return (response.headers.get('set-cookie') as string).split(';')[0];
}

describe.each(TRANSPORTS)('the lifetime of a cookie stream (%s)', (transport) => {
  it('ends when the session expires, and the reconnect is refused with the Session challenge', async () => {
    const push = await startPushApp({ transport, browserSessions: { secret: SECRET, secure: false, ttlSeconds: 1 } });
    try {
      const cookie = await signIn(push);
      const stream = await openEventStream(push.url(ALL), { Cookie: cookie });
      expect(stream.status).toBe(200);
      await stream.next();
      await within(stream.ended, 3000, 'the stream to end at the expiry');
      const again = await openEventStream(push.url(ALL), { Cookie: cookie });
      expect(again.status).toBe(401);
      expect(again.headers['www-authenticate']).toBe('Session realm="JMAP"');
      again.close();
    } finally {
      await push.close();
    }
  });

  it('ends the streams of a session that signs out, and only those', async () => {
    const push = await startPushApp({ transport, browserSessions: { secret: SECRET, secure: false } });
    try {
      const leaving = await signIn(push);
      const staying = await signIn(push);
      const gone = await openEventStream(push.url(ALL), { Cookie: leaving });
      const kept = await openEventStream(push.url(ALL), { Cookie: staying });
      await gone.next();
      await kept.next();
      const out = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
        method: 'DELETE',
        headers: { Cookie: leaving },
      });
      expect(out.status).toBe(204);
      await within(gone.ended, 2000, 'the signed-out stream to end');
      await push.stateChanges.publish('acc-bob', { Email: 'after-sign-out' });
      expect(JSON.parse((await kept.nextEvent('state')).data as string)).toEqual({
        '@type': 'StateChange',
        changed: { 'acc-bob': { Email: 'after-sign-out' } },
      });
      expect(gone.frames.map((frame) => frame.data ?? '').join('')).not.toContain('after-sign-out');
      const again = await openEventStream(push.url(ALL), { Cookie: leaving });
      expect(again.status).toBe(401);
      again.close();
      kept.close();
    } finally {
      await push.close();
    }
  });

  it('refuses a cookie that signed out while the directory was asked about it', async () => {
    const table = tableAuthenticator(DEFAULT_USERS);
    let asked!: () => void;
    const askedPromise = new Promise<void>((resolve) => (asked = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const push = await startPushApp({
      transport,
      browserSessions: { secret: SECRET, secure: false },
      authenticator: {
        authenticateBasic: (user, password) => table.authenticateBasic(user, password),
        async revalidate(principal) {
          asked();
          await answered;
          return principal;
        },
      },
    });
    try {
      const cookie = await signIn(push);
      const opening = openEventStream(push.url(ALL), { Cookie: cookie });
      await askedPromise;
      await signOut(push, cookie);
      answer();
      const stream = await opening;
      expect(stream.status).toBe(401);
      stream.close();
    } finally {
      await push.close();
    }
  });

  it('ends the streams of every session that the sign-out bound revokes, and signs in again at once', async () => {
    const push = await startPushApp({ transport, browserSessions: { secret: SECRET, secure: false } });
    try {
      const phone = await signIn(push);
      const stream = await openEventStream(push.url(ALL), { Cookie: phone });
      await stream.next();
      // The 17th sign-out of one principal revokes all its sessions minted up to then, the phone's too.
      for (let i = 0; i < 17; i++) await signOut(push, await signIn(push));
      await within(stream.ended, 2000, "the phone's stream to end");
      const fresh = await signIn(push);
      const again = await openEventStream(push.url(ALL), { Cookie: fresh });
      expect(again.status).toBe(200);
      again.close();
      const refused = await openEventStream(push.url(ALL), { Cookie: phone });
      expect(refused.status).toBe(401);
      refused.close();
    } finally {
      await push.close();
    }
  });
});

// Issue 13, "The endpoint" 4: revalidation narrows or ends a socket's subscription, and a browser session's
// expiry or sign-out ends its sockets with 1008 (policy violation, RFC 6455 section 7.4.1).
import type { Principal } from 'jmap-push';
import { PrincipalRevalidator } from 'jmap-push/subscription/principal-revalidator';
import { DEFAULT_USERS, tableAuthenticator } from '../support/push-app';
import { within } from '../support/wait';
import { basicAuth } from '../support/sse-client';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { request, startWsApp, wsSettled } from './support/ws-app';

describe('revalidation and session expiry', () => {
  it('narrows the socket to the accounts still granted, and ends it with 1008 when the principal is gone', async () => {
    const grants = new Map<string, readonly string[] | null>([['bob@example.com', ['acc-bob', 'acc-alice']]]);
    const push = await startWsApp({
      authenticator: {
        ...tableAuthenticator(DEFAULT_USERS),
        revalidate: (principal: Principal) => {
          const accountIds = grants.get(principal.id);
          return accountIds ? { id: principal.id, accountIds } : null;
        },
      },
    });
    try {
      const socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      await enablePush(socket, { dataTypes: null });
      grants.set('bob@example.com', ['acc-bob']);
      await push.app.get(PrincipalRevalidator).revalidateAll();
      await push.stateChanges.publish('acc-alice', { Email: 'revoked' });
      const id = await push.stateChanges.publish('acc-bob', { Email: 'kept' });
      expect(await socket.next()).toEqual({
        '@type': 'StateChange',
        changed: { 'acc-bob': { Email: 'kept' } },
        pushState: id,
      });
      // A later enable with a pushState replays only what is still granted.
      await enablePush(socket, { dataTypes: null, pushState: id });
      grants.set('bob@example.com', null);
      await push.app.get(PrincipalRevalidator).revalidateAll();
      expect(await within(socket.closed, 2000, 'the revoked socket closes')).toBe(1008);
      await wsSettled(push);
    } finally {
      await push.close();
    }
  });

  it('ends a cookie-authenticated socket with 1008 when its session expires', async () => {
    const push = await startWsApp({
      browserSessions: { secret: 'websocket-liveness-test-secret-0123456789', secure: false, ttlSeconds: 1 },
    });
    try {
      const signIn = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
        method: 'POST',
        headers: { Authorization: basicAuth('bob@example.com', 'bob-secret') },
      });
      const cookie = (signIn.headers.getSetCookie().find((value) => value.includes('Path=/jmap/ws')) ?? '').split(
        ';',
      )[0];
      const socket = await openJmapSocket(push.wsUrl, { headers: { Cookie: cookie } });
      expect(await within(socket.closed, 3000, 'the socket closes at the expiry')).toBe(1008);
      await wsSettled(push);
      await expect(openJmapSocket(push.wsUrl, { headers: { Cookie: cookie } })).rejects.toMatchObject({
        statusCode: 401,
      });
    } finally {
      await push.close();
    }
  });
});

describe('signing out', () => {
  it('ends the sockets of the session that signs out with 1008, and only those', async () => {
    const push = await startWsApp({
      browserSessions: { secret: 'websocket-liveness-test-secret-0123456789', secure: false },
    });
    try {
      const signIn = async () => {
        const response = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
          method: 'POST',
          headers: { Authorization: basicAuth('bob@example.com', 'bob-secret') },
        });
        return response.headers.getSetCookie()[0].split(';')[0];
      };
      const leaving = await signIn();
      const staying = await signIn();
      const gone = await openJmapSocket(push.wsUrl, { headers: { Cookie: leaving } });
      const kept = await openJmapSocket(push.wsUrl, { headers: { Cookie: staying } });
      const out = await fetch(`${push.baseUrl}/jmap/eventsource/session`, {
        method: 'DELETE',
        headers: { Cookie: leaving },
      });
      expect(out.status).toBe(204);
      expect(await within(gone.closed, 2000, 'the signed-out socket closes')).toBe(1008);
      kept.send(request('kept'));
      expect(await kept.next()).toMatchObject({ requestId: 'kept' });
      kept.close();
      await kept.closed;
      await wsSettled(push);
    } finally {
      await push.close();
    }
  });
});

// Issue 13, "The endpoint" 4 and 5: slow clients (merging while backpressured, cut off when stalled),
// dead peers found by WebSocket ping/pong (RFC 6455 section 5.5.2), revalidation and cookie expiry
// narrowing or ending the socket, and shutdown closing every socket with 1001 (RFC 6455 section 7.4.1).
import { connect, type Socket } from 'node:net';
import type { Principal } from 'jmap-push';
import { PrincipalRevalidator } from 'jmap-push/subscription/principal-revalidator';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { DEFAULT_USERS, tableAuthenticator } from '../support/push-app';
import { waitUntil, within } from '../support/push-fixture';
import { basicAuth } from '../support/sse-client';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { request, startWsApp, wsHoldings, wsSettled } from './support/ws-app';

/** Larger than what loopback's kernel buffers take in on both ends, so the write stays unread. */
const BIG_STATE_BYTES = 48 * 1024 * 1024;

describe('a WebSocket client that stops reading', () => {
  it('has its changes merged, latest per account and type, and gets them once it reads again', async () => {
    const push = await startWsApp();
    try {
      const socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      await enablePush(socket, { dataTypes: null });
      socket.ws.pause();
      const big = await push.stateChanges.publish('acc-bob', { Email: 'x'.repeat(BIG_STATE_BYTES) });
      for (let i = 0; i < 50; i++) {
        await push.stateChanges.publish('acc-bob', { Mailbox: `m${i}` });
        await push.stateChanges.publish('acc-alice', { Email: `ae${i}` });
      }
      const last = await push.stateChanges.publish('acc-bob', { Thread: 't-last' });
      expect(push.metrics.snapshot().merges).toBeGreaterThanOrEqual(100);
      socket.ws.resume();
      const first = await socket.next(10_000);
      expect(first.pushState).toBe(big);
      expect(await socket.next(10_000)).toEqual({
        '@type': 'StateChange',
        changed: { 'acc-bob': { Mailbox: 'm49', Thread: 't-last' }, 'acc-alice': { Email: 'ae49' } },
        pushState: last,
      });
      socket.send(request('after'));
      expect(await socket.next()).toMatchObject({ '@type': 'Response', requestId: 'after' });
      socket.close();
      await socket.closed;
      await wsSettled(push);
    } finally {
      await push.close();
    }
  }, 30_000);

  it('is cut off after stalledStreamTimeoutMs, even with nothing published after its unread write', async () => {
    const STALL_MS = 500;
    const push = await startWsApp({ stalledStreamTimeoutMs: STALL_MS });
    try {
      const socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
      await enablePush(socket, { dataTypes: null });
      socket.ws.pause();
      const publishedAt = performance.now();
      await push.stateChanges.publish('acc-bob', { Email: 'x'.repeat(BIG_STATE_BYTES) });
      await waitUntil(
        () => push.app.get(SubscriptionRegistry).size === 0,
        'the stalled socket is cut off',
        8 * STALL_MS,
      );
      expect(performance.now() - publishedAt).toBeGreaterThanOrEqual(STALL_MS - 50);
      await wsSettled(push);
      socket.ws.terminate();
    } finally {
      await push.close();
    }
  }, 30_000);
});

/** Does a JMAP WebSocket handshake on a raw socket that then never answers a ping (a dead peer). */
function deadPeer(port: number): Promise<{ socket: Socket; pings: () => number; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let upgraded = false;
    let pings = 0;
    const closed = new Promise<void>((done) =>
      socket.once('close', () => {
        done();
      }),
    );
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!received.subarray(0, 12).toString('latin1').endsWith('101')) reject(new Error('not upgraded'));
        upgraded = true;
        received = received.subarray(end + 4);
        resolve({ socket, pings: () => pings, closed });
      }
      // Server frames are unmasked: opcode in the first byte, a short length in the second.
      while (received.length >= 2 && received.length >= 2 + (received[1] & 0x7f)) {
        if ((received[0] & 0x0f) === 0x9) pings++;
        received = received.subarray(2 + (received[1] & 0x7f));
      }
    });
    socket.write(
      'GET /jmap/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: jmap\r\n' +
        `Authorization: ${basicAuth('bob@example.com', 'bob-secret')}\r\n\r\n`,
    );
  });
}

describe('dead peer detection by WebSocket ping/pong', () => {
  it('pings every pingIntervalSeconds and terminates a peer that stops answering; a live one stays', async () => {
    const push = await startWsApp({}, { pingIntervalSeconds: 1 });
    try {
      const live = await openJmapSocket(push.wsUrl, { user: 'alice@example.com' });
      const dead = await deadPeer(push.port);
      const startedAt = performance.now();
      await within(dead.closed, 4000, 'the server terminates the silent peer');
      // One unanswered ping, then the next one finds it silent: about two intervals.
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(1500);
      expect(dead.pings()).toBe(1);
      expect(live.ws.readyState).toBe(live.ws.OPEN);
      live.send(request('still'));
      expect(await live.next()).toMatchObject({ requestId: 'still' });
      await waitUntil(() => push.metrics.snapshot().webSockets === 1, 'the dead socket is released');
      live.close();
      await live.closed;
      await wsSettled(push);
    } finally {
      await push.close();
    }
  }, 15_000);
});

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

describe('shutdown', () => {
  it('app.close() closes every socket with 1001 at once and leaves nothing behind', async () => {
    const push = await startWsApp({}, { pingIntervalSeconds: 1 });
    const sockets = await Promise.all(
      ['bob@example.com', 'bob@example.com', 'alice@example.com', 'carol@example.com'].map((user) =>
        openJmapSocket(push.wsUrl, { user }),
      ),
    );
    await enablePush(sockets[0], { dataTypes: null });
    const startedAt = performance.now();
    const closing = push.close();
    const codes = await within(Promise.all(sockets.map((socket) => socket.closed)), 2000, 'every socket closes');
    const closedAfter = performance.now() - startedAt;
    await within(closing, 3000, 'app.close() resolves');
    const closeTook = performance.now() - startedAt;
    expect(codes).toEqual([1001, 1001, 1001, 1001]);
    // Clients that answer the closing handshake do not wait for the grace period of those that do not.
    expect(closedAfter).toBeLessThan(500);
    expect(closeTook).toBeLessThan(500);
    expect(wsHoldings(push)).toEqual({
      registry: 0,
      admissionHeld: 0,
      pingScheduler: 0,
      stallWatch: 0,
      webSockets: 0,
      openStreams: 0,
    });
  });

  it('cuts a peer that never answers the closing handshake after the grace period, so app.close() ends', async () => {
    const push = await startWsApp();
    const dead = await deadPeer(push.port);
    const startedAt = performance.now();
    await within(push.close(), 3000, 'app.close() resolves');
    await within(dead.closed, 1000, 'the silent peer is cut');
    expect(performance.now() - startedAt).toBeLessThan(2000);
    await waitUntil(() => push.metrics.snapshot().webSockets === 0, 'the cut socket is counted out');
    expect(wsHoldings(push)).toMatchObject({ registry: 0, admissionHeld: 0, pingScheduler: 0 });
  });
});

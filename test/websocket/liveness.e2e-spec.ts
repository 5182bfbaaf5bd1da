// Issue 13, "The endpoint" 4: slow clients (merging while backpressured, cut off when stalled) and dead
// peers found by WebSocket ping/pong (RFC 6455 section 5.5.2).
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { waitUntil, within } from '../support/wait';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { deadPeer, request, startWsApp, wsSettled } from './support/ws-app';

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

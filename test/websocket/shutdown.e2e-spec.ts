// Issue 13, "The endpoint" 5: app.close() closes every socket with 1001 (going away, RFC 6455 section 7.4.1)
// so clients reconnect elsewhere with their pushState, cuts peers that never answer, and leaves nothing.
import { waitUntil, within } from '../support/wait';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { deadPeer, NOTHING_HELD_FOR_SOCKETS, startWsApp, wsHoldings } from './support/ws-app';

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
    expect(wsHoldings(push)).toEqual(NOTHING_HELD_FOR_SOCKETS);
  });

  it('cuts a peer that never answers the closing handshake after the grace period, so app.close() ends', async () => {
    const push = await startWsApp();
    const dead = await deadPeer(push.port);
    const startedAt = performance.now();
    await within(push.close(), 3000, 'app.close() resolves');
    await within(dead.closed, 1000, 'the silent peer is cut');
    expect(performance.now() - startedAt).toBeLessThan(2000);
    await waitUntil(() => push.metrics.snapshot().webSockets === 0, 'the cut socket is counted out');
    expect(wsHoldings(push)).toMatchObject({ streams: 0, slots: 0, pings: 0 });
  });
});

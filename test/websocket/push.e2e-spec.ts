// Issue 13, "The endpoint" 3: push over a JMAP WebSocket (RFC 8887 section 4.3.5): WebSocketPushEnable with
// dataTypes and pushState, StateChange with its pushState, replay of missed changes, disable, re-enable.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { waitUntil } from '../support/wait';
import { enablePush, openJmapSocket, type JmapSocket } from '../support/ws-client';
import { request, startWsApp, wsSettled, type WsApp } from './support/ws-app';

/** Sends a Request and returns every message that arrived before its Response (the Response proves they are all). */
async function messagesBeforeResponse(socket: JmapSocket): Promise<Record<string, unknown>[]> {
  const id = `probe-${Math.random().toString(36).slice(2)}`;
  socket.send(request(id));
  const before: Record<string, unknown>[] = [];
  for (;;) {
    const message = await socket.next();
    if (message['@type'] === 'Response' && message.requestId === id) return before;
    before.push(message);
  }
}

describe('push over a JMAP WebSocket', () => {
  let push: WsApp;
  const sockets: JmapSocket[] = [];
  const serverSockets: Socket[] = [];
  async function bob(): Promise<JmapSocket> {
    const socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
    sockets.push(socket);
    return socket;
  }
  beforeAll(async () => {
    push = await startWsApp({ historySize: 4 });
    push.app.getHttpServer().on('upgrade', (_request: IncomingMessage, socket: Socket) => serverSockets.push(socket));
  });
  afterAll(() => push.close());
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    serverSockets.splice(0);
    await wsSettled(push);
  });

  it('sends nothing before an enable (RFC 8887 section 4.3.5.2: push is off until enabled)', async () => {
    const socket = await bob();
    await push.stateChanges.publish('acc-bob', { Email: 'e-before' });
    expect(await messagesBeforeResponse(socket)).toEqual([]);
  });

  it('dataTypes null is every type, for every account the principal may read and none other', async () => {
    const socket = await bob();
    await enablePush(socket, { dataTypes: null });
    await push.stateChanges.publish('acc-carol', { Email: 'carols' });
    const own = await push.stateChanges.publish('acc-bob', { Email: 'e1', Thread: 't1' });
    const shared = await push.stateChanges.publish('acc-alice', { ContactCard: 'c1', Mailbox: 'm1' });
    const received = await messagesBeforeResponse(socket);
    expect(received).toEqual([
      { '@type': 'StateChange', changed: { 'acc-bob': { Email: 'e1', Thread: 't1' } }, pushState: own },
      { '@type': 'StateChange', changed: { 'acc-alice': { ContactCard: 'c1', Mailbox: 'm1' } }, pushState: shared },
    ]);
  });

  it('a dataTypes list filters live changes; a change of none of them sends nothing', async () => {
    const socket = await bob();
    await enablePush(socket, { dataTypes: ['Mailbox', 'NotAType'] });
    await push.stateChanges.publish('acc-bob', { Email: 'only-email' });
    const id = await push.stateChanges.publish('acc-bob', { Email: 'e2', Mailbox: 'm2' });
    expect(await messagesBeforeResponse(socket)).toEqual([
      { '@type': 'StateChange', changed: { 'acc-bob': { Mailbox: 'm2' } }, pushState: id },
    ]);
  });

  it('a StateChange is written in the same event-loop turn as publish() resolves', async () => {
    const socket = await bob();
    await enablePush(socket, { dataTypes: null });
    const [server] = serverSockets;
    const written = server.bytesWritten;
    const id = await push.stateChanges.publish('acc-bob', { Email: 'same-turn' });
    // Already on the socket when the publisher learns its id: no timer, no polling in between.
    expect(server.bytesWritten).toBeGreaterThan(written);
    expect(await socket.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'same-turn' } },
      pushState: id,
    });
  });

  it('pushState: the missed changes arrive at once, merged into one StateChange, filtered by dataTypes', async () => {
    const socket = await bob();
    await enablePush(socket, { dataTypes: null });
    await push.stateChanges.publish('acc-bob', { Email: 'e0' });
    const held = (await socket.next()).pushState as string;
    socket.close();
    await push.stateChanges.publish('acc-bob', { Email: 'e1', Mailbox: 'm1' });
    await push.stateChanges.publish('acc-carol', { Email: 'carols' });
    const last = await push.stateChanges.publish('acc-alice', { Mailbox: 'am1' });
    await push.stateChanges.publish('acc-bob', { Email: 'e2' });
    const latest = await push.stateChanges.publish('acc-bob', { Thread: 'not-asked-for' });

    const again = await bob();
    await enablePush(again, { dataTypes: ['Email', 'Mailbox'], pushState: held });
    // Read before the enable's probe Response: the replay is written as the enable is applied.
    expect(again.messages).toEqual([
      {
        '@type': 'StateChange',
        changed: { 'acc-bob': { Email: 'e2', Mailbox: 'm1' }, 'acc-alice': { Mailbox: 'am1' } },
        pushState: latest,
      },
      expect.objectContaining({ '@type': 'Response' }),
    ]);
    expect(last < latest).toBe(true);
  });

  it('pushState with nothing missed sends nothing', async () => {
    const socket = await bob();
    const id = await push.stateChanges.publish('acc-bob', { Email: 'e-now' });
    await enablePush(socket, { dataTypes: null, pushState: id });
    expect(socket.messages.filter((message) => message['@type'] === 'StateChange')).toEqual([]);
  });

  it.each([
    ['an unknown', 'not-an-id'],
    ['a from-before-the-boot', '1-1'],
    ['a too-old (older than the kept history)', 'OLDEST'],
  ])('%s pushState gets the latest state of every requested type, never an error', async (_what, token) => {
    const oldest = await push.stateChanges.publish('acc-bob', { Email: 'old', Mailbox: 'old' });
    for (let i = 0; i < 5; i++) await push.stateChanges.publish('acc-bob', { Email: `e${i}` });
    await push.stateChanges.publish('acc-alice', { Mailbox: 'am-latest', Email: 'ae-latest' });
    const socket = await bob();
    await enablePush(socket, { dataTypes: ['Mailbox'], pushState: token === 'OLDEST' ? oldest : token });
    const [change] = socket.messages;
    expect(change).toMatchObject({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Mailbox: 'old' }, 'acc-alice': { Mailbox: 'am-latest' } },
    });
    expect(socket.messages.some((message) => message['@type'] === 'RequestError')).toBe(false);
  });

  it('WebSocketPushDisable stops pushes, and the socket still answers Requests', async () => {
    const socket = await bob();
    await enablePush(socket, { dataTypes: null });
    socket.send({ '@type': 'WebSocketPushDisable' });
    await messagesBeforeResponse(socket); // the disable is applied
    await push.stateChanges.publish('acc-bob', { Email: 'after-disable' });
    expect(await messagesBeforeResponse(socket)).toEqual([]);
  });

  it('a second enable replaces the first (RFC 8887 section 4.3.5.2)', async () => {
    const socket = await bob();
    await enablePush(socket, { dataTypes: ['Email'] });
    await enablePush(socket, { dataTypes: ['Mailbox'] });
    await push.stateChanges.publish('acc-bob', { Email: 'not-any-more' });
    const id = await push.stateChanges.publish('acc-bob', { Mailbox: 'now' });
    expect(await messagesBeforeResponse(socket)).toEqual([
      { '@type': 'StateChange', changed: { 'acc-bob': { Mailbox: 'now' } }, pushState: id },
    ]);
  });

  it('each socket gets only its own principal’s accounts', async () => {
    const carol = await openJmapSocket(push.wsUrl, { user: 'carol@example.com' });
    sockets.push(carol);
    const alice = await openJmapSocket(push.wsUrl, { user: 'alice@example.com' });
    sockets.push(alice);
    await enablePush(carol, { dataTypes: null });
    await enablePush(alice, { dataTypes: null });
    await push.stateChanges.publish('acc-bob', { Email: 'bobs' });
    const id = await push.stateChanges.publish('acc-alice', { Email: 'alices' });
    expect(await messagesBeforeResponse(carol)).toEqual([]);
    expect(await messagesBeforeResponse(alice)).toEqual([
      { '@type': 'StateChange', changed: { 'acc-alice': { Email: 'alices' } }, pushState: id },
    ]);
    await waitUntil(() => push.metrics.snapshot().webSockets === 2, 'both sockets counted');
  });
});

// RFC 8887 over real sockets with the `ws` client: the handshake, a Request, push with pushState.
import type { JmapRequestHandler } from 'jmap-push';
import { startPushApp, type PushApp } from '../support/push-app';
import { enablePush, openJmapSocket } from '../support/ws-client';

const echo: JmapRequestHandler = {
  handle: (request, authentication) => ({
    methodResponses: request.methodCalls.map(([name, args, id]) => [
      name,
      { ...args, principal: authentication.principal.id },
      id,
    ]),
    sessionState: 's1',
  }),
};

describe('JMAP over WebSocket', () => {
  let push: PushApp;
  let url: string;
  beforeAll(async () => {
    push = await startPushApp({ webSocket: { requestHandler: echo } });
    url = `${push.baseUrl.replace('http', 'ws')}/jmap/ws`;
  });
  afterAll(() => push.close());

  it('selects jmap, answers a Request, and pushes changes with a pushState that resumes', async () => {
    const socket = await openJmapSocket(url, { user: 'bob@example.com' });
    expect(socket.ws.protocol).toBe('jmap');
    socket.send({
      '@type': 'Request',
      id: 'R1',
      using: ['urn:ietf:params:jmap:core'],
      methodCalls: [['Core/echo', { a: 1 }, 'c1']],
    });
    expect(await socket.next()).toEqual({
      '@type': 'Response',
      requestId: 'R1',
      methodResponses: [['Core/echo', { a: 1, principal: 'bob@example.com' }, 'c1']],
      sessionState: 's1',
    });
    await enablePush(socket, { dataTypes: null });
    await push.stateChanges.publish('acc-carol', { Email: 'not-bobs' });
    const id = await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(await socket.next()).toEqual({
      '@type': 'StateChange',
      changed: { 'acc-bob': { Email: 'e1' } },
      pushState: id,
    });
    socket.close();
    await socket.closed;
    await push.stateChanges.publish('acc-alice', { Mailbox: 'm2' });
    const again = await openJmapSocket(url, { user: 'bob@example.com' });
    again.send({ '@type': 'WebSocketPushEnable', dataTypes: ['Mailbox'], pushState: id });
    const missed = await again.next();
    expect(missed).toMatchObject({ '@type': 'StateChange', changed: { 'acc-alice': { Mailbox: 'm2' } } });
    again.close();
  });

  it('refuses before the upgrade: 401 without credentials, 400 without the jmap subprotocol', async () => {
    await expect(openJmapSocket(url)).rejects.toMatchObject({ statusCode: 401 });
    await expect(openJmapSocket(url, { user: 'bob@example.com', protocols: ['chat'] })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

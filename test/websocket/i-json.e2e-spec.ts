// RFC 8620 section 3.2 (messages are I-JSON, RFC 7493) and RFC 8887 section 4.3.4: a message with
// duplicate member names or an escaped lone surrogate is a notJSON RequestError, and the socket stays.
import type { JmapRequestHandler } from 'jmap-push';
import { startPushApp, type PushApp } from '../support/push-app';
import { openJmapSocket } from '../support/ws-client';

const handler: JmapRequestHandler = { handle: () => ({ methodResponses: [], sessionState: 's' }) };

describe('JMAP over WebSocket: I-JSON', () => {
  let push: PushApp;
  beforeAll(async () => {
    push = await startPushApp({ webSocket: { requestHandler: handler } });
  });
  afterAll(() => push.close());

  it.each([
    ['a duplicate member name', '{"@type":"Request","id":"R1","using":[],"using":["x"],"methodCalls":[]}'],
    ['a duplicate spelt with an escape', '{"@type":"Request","id":"R1","using":[],"\\u0075sing":[],"methodCalls":[]}'],
    ['an escaped lone surrogate', '{"@type":"Request","id":"R1","using":["\\ud800"],"methodCalls":[]}'],
  ])('answers %s with notJSON, and keeps serving', async (_name, text) => {
    const socket = await openJmapSocket(`${push.baseUrl.replace('http', 'ws')}/jmap/ws`, { user: 'bob@example.com' });
    socket.send(text);
    expect(await socket.next()).toMatchObject({
      '@type': 'RequestError',
      type: 'urn:ietf:params:jmap:error:notJSON',
      status: 400,
    });
    socket.send({ '@type': 'Request', id: 'R2', using: [], methodCalls: [] });
    expect(await socket.next()).toMatchObject({ '@type': 'Response', requestId: 'R2' });
    socket.close();
  });
});

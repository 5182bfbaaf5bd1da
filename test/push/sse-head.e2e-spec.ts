// The `sse` transport's head (alignNestSseHead): Nest's `@Sse` head replaced by the event stream's, its lone
// `\n` dropped, head and first frame in one write, the host's headers kept; for a second stream on one
// connection, and on a response whose `writeHead` the host's middleware wrapped (as on-headers does).
import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_STREAM_HEAD, headersWithoutDate } from '../support/event-stream-head';
import { startPushApp, type PushApp } from '../support/push-app';
import { parseResponses, rawRequest, RawConnection, type RawResponse } from '../support/raw-connection';

const PATH = '/jmap/eventsource?types=*&closeafter=no&ping=0';
const ONCE = '/jmap/eventsource?types=*&closeafter=state&ping=0';

const withoutDate = (response: RawResponse): Array<[string, string]> => headersWithoutDate(response.headers);

describe('the sse transport head', () => {
  let push: PushApp | undefined;
  const connections: RawConnection[] = [];
  afterEach(async () => {
    for (const made of connections.splice(0)) made.destroy();
    await push?.close();
    push = undefined;
  });
  const connect = (app: PushApp) => {
    const connection = new RawConnection(Number(new URL(app.baseUrl).port));
    connections.push(connection);
    return connection;
  };

  it('is the event stream head, the host header kept, the first frame first, later frames as they are', async () => {
    push = await startPushApp({
      transport: 'sse',
      configure: (app: INestApplication) => {
        app.use((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
          response.setHeader('X-Host', 'kept');
          next();
        });
      },
    });
    const connection = connect(push);
    connection.write(rawRequest(PATH, { user: 'bob@example.com' }));
    await connection.until((data) => data.includes('retry: 2000\n\n'), 'the first frame');
    const [first] = parseResponses(connection.data, ['GET']);
    expect(withoutDate(first)).toEqual([
      ['x-powered-by', 'Express'],
      ['x-host', 'kept'],
      ...EVENT_STREAM_HEAD.slice(1),
      ['transfer-encoding', 'chunked'],
    ]);
    expect(first.body).toMatch(/^id: \d+-\d+\nretry: 2000\n\n$/);
    // Later frames go through as they are.
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    await connection.until((data) => data.includes('"Email":"e1"'), 'the state event');
    expect(parseResponses(connection.data, ['GET'])[0].body).toMatch(
      /^id: \S+\nretry: 2000\n\nevent: state\nid: \S+\ndata: \{"@type":"StateChange","changed":\{"acc-bob":\{"Email":"e1"\}\}\}\n\n$/,
    );
  });

  it('is the same for a second stream on the same connection', async () => {
    push = await startPushApp({ transport: 'sse' });
    const connection = connect(push);
    connection.write(rawRequest(ONCE, { user: 'bob@example.com' }));
    await connection.until((data) => data.includes('retry: 2000\n\n'), 'the first frame');
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    await connection.until((data) => parseResponses(data, ['GET'])[0]?.complete, 'the first stream to end');
    connection.write(rawRequest(PATH, { user: 'bob@example.com' }));
    await connection.until((data) => parseResponses(data, ['GET', 'GET'])[1]?.body.includes('\n\n'), 'the second');
    const [, second] = parseResponses(connection.data, ['GET', 'GET']);
    expect(withoutDate(second)).toEqual([...EVENT_STREAM_HEAD, ['transfer-encoding', 'chunked']]);
    expect(second.body).toMatch(/^id: \d+-\d+\nretry: 2000\n\n$/);
  });

  it("goes through middleware that wrapped the response's writeHead, once, with what it added", async () => {
    const calls: number[] = [];
    push = await startPushApp({
      transport: 'sse',
      configure: (app: INestApplication) => {
        // What on-headers does: an own `writeHead` that sets a header just before the head goes out.
        app.use((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
          // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the response as `this`
          const writeHead = response.writeHead;
          response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
            calls.push(args.length);
            this.setHeader('X-Timing', 'late');
            return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
          };
          next();
        });
      },
    });
    const connection = connect(push);
    connection.write(rawRequest(PATH, { user: 'bob@example.com' }));
    await connection.until((data) => data.includes('retry: 2000\n\n'), 'the first frame');
    const [first] = parseResponses(connection.data, ['GET']);
    expect(calls).toHaveLength(1);
    expect(withoutDate(first)).toEqual([
      ['x-powered-by', 'Express'],
      ['x-timing', 'late'],
      ...EVENT_STREAM_HEAD.slice(1),
      ['transfer-encoding', 'chunked'],
    ]);
    expect(first.body).toMatch(/^id: \d+-\d+\nretry: 2000\n\n$/);
  });
});

import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { openEventStream, type EventStream } from '../support/sse-client';
import { enablePush, openJmapSocket } from '../support/ws-client';
import { ACCOUNT, startServer, USERS, type TestServer } from './support/server-fixture';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Two reference servers on one Redis (`REDIS_URL`), as two `npm start` processes behind a balancer. */
describe('reference server with REDIS_URL', () => {
  const redisKeyPrefix = `test:nodes:${randomBytes(4).toString('hex')}:`;
  let nodeA: TestServer;
  let nodeB: TestServer;
  const streams: EventStream[] = [];

  beforeAll(async () => {
    nodeA = await startServer({ redisUrl: REDIS_URL, redisKeyPrefix });
    nodeB = await startServer({ redisUrl: REDIS_URL, redisKeyPrefix });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await nodeA.close();
    await nodeB.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${redisKeyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('a write on one node is pushed to a client of the other, with the state the writer committed', async () => {
    const stream = await openEventStream(`${nodeA.baseUrl}/jmap/eventsource?types=Mailbox&closeafter=no&ping=0`, {
      Authorization: nodeA.auth('bob'),
    });
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.next();

    const created = await nodeB.one('bob', 'Mailbox/set', {
      accountId: ACCOUNT.bob,
      create: { m: { name: 'Across nodes' } },
    });
    const event = await stream.nextEvent('state');
    expect(JSON.parse(event.data as string)).toEqual({
      '@type': 'StateChange',
      changed: { [ACCOUNT.bob]: { Mailbox: created.newState } },
    });
    // The id is the Redis stream entry id: the same on every node.
    expect(event.id).toMatch(/^\d+-\d+$/);
  });

  it('a client that reconnects to the other node with Last-Event-ID gets what it missed', async () => {
    const first = await openEventStream(`${nodeA.baseUrl}/jmap/eventsource?types=Mailbox&closeafter=no&ping=0`, {
      Authorization: nodeA.auth('bob'),
    });
    const opened = await first.next();
    first.close();
    const created = await nodeA.one('bob', 'Mailbox/set', {
      accountId: ACCOUNT.bob,
      create: { m: { name: 'Missed' } },
    });
    const again = await openEventStream(`${nodeB.baseUrl}/jmap/eventsource?types=Mailbox&closeafter=state&ping=0`, {
      Authorization: nodeB.auth('bob'),
      'Last-Event-ID': opened.id as string,
    });
    const replayed = await again.nextEvent('state');
    expect(JSON.parse(replayed.data as string).changed).toEqual({ [ACCOUNT.bob]: { Mailbox: created.newState } });
    await again.ended;
  });

  it('a WebSocket resumes on the other node from the pushState of the first (RFC 8887 section 4.3.5.2)', async () => {
    const socketUrl = (node: TestServer) => `${node.baseUrl.replace('http:', 'ws:')}/jmap/ws`;
    const first = await openJmapSocket(socketUrl(nodeA), { user: USERS.bob.username });
    await enablePush(first, { dataTypes: ['Mailbox'] });
    const seen = await nodeB.one('bob', 'Mailbox/set', {
      accountId: ACCOUNT.bob,
      create: { m: { name: 'Seen over a socket' } },
    });
    const pushed = await first.next();
    expect(pushed).toMatchObject({ changed: { [ACCOUNT.bob]: { Mailbox: seen.newState } } });
    first.close();
    await first.closed;
    const missed = await nodeA.one('bob', 'Mailbox/set', {
      accountId: ACCOUNT.bob,
      create: { m: { name: 'Missed by a socket' } },
    });
    expect(missed.created.m).toBeDefined();
    const again = await openJmapSocket(socketUrl(nodeB), { user: USERS.bob.username });
    again.send({ '@type': 'WebSocketPushEnable', dataTypes: ['Mailbox'], pushState: pushed.pushState });
    expect(await again.next()).toEqual({
      '@type': 'StateChange',
      changed: { [ACCOUNT.bob]: { Mailbox: missed.newState } },
      pushState: expect.stringMatching(/^\d+-\d+$/),
    });
    again.close();
    await again.closed;
  });
});

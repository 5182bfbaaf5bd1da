import { openEventStream, type EventStream } from '../support/sse-client';
import { ACCOUNT, startServer, USERS, type TestServer } from './support/server-fixture';

const SECRET = 'a-fixed-push-session-secret-of-32+chars';
const EVENT_SOURCE = '/jmap/eventsource?types=*&closeafter=no&ping=0';

/**
 * Issue 11 point 5: a browser session cookie signs the accounts of sign-in time; after a restart with
 * fewer grants (or without the user) it must not carry more than the directory grants now.
 */
describe('browser session cookies after the configuration changed', () => {
  const servers: TestServer[] = [];
  const streams: EventStream[] = [];
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    for (const server of servers.splice(0)) await server.close();
  });

  const boot = async (overrides: Parameters<typeof startServer>[0]) => {
    const server = await startServer({ lmtpPort: null, ...overrides });
    servers.push(server);
    return server;
  };
  /** Signs alice in on a server that shares bob's account with her, then stops that server. */
  const aliceCookie = async (pushSessionSecret: string | null) => {
    const first = await boot({ pushSessionSecret });
    const response = await fetch(`${first.baseUrl}/jmap/eventsource/session`, {
      method: 'POST',
      headers: { Authorization: first.auth('alice') },
    });
    expect(response.status).toBe(204);
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    return /^(jmap_push_session=[^;]+)/.exec(response.headers.get('set-cookie') ?? '')![1];
  };
  const openWithCookie = async (server: TestServer, cookie: string) => {
    const stream = await openEventStream(`${server.baseUrl}${EVENT_SOURCE}`, { Cookie: cookie });
    streams.push(stream);
    return stream;
  };

  it('streams only the accounts granted now, with a fixed PUSH_SESSION_SECRET', async () => {
    const cookie = await aliceCookie(SECRET);
    const server = await boot({ pushSessionSecret: SECRET, shares: [] });
    const stream = await openWithCookie(server, cookie);
    expect(stream.status).toBe(200);
    // Bob's change comes first: a stream that still had his account would carry it before alice's.
    await server.one('bob', 'Mailbox/set', { accountId: ACCOUNT.bob, create: { m: { name: 'Not for alice' } } });
    await server.one('alice', 'Mailbox/set', { accountId: ACCOUNT.alice, create: { m: { name: 'Hers' } } });
    const first = JSON.parse((await stream.nextEvent('state')).data!);
    expect(Object.keys(first.changed)).toEqual([ACCOUNT.alice]);
  });

  it('refuses the cookie of a user who is gone, with a fixed PUSH_SESSION_SECRET', async () => {
    const cookie = await aliceCookie(SECRET);
    const users = [USERS.bob, USERS.carol].map(({ username, password }) => ({ username, password }));
    const server = await boot({ pushSessionSecret: SECRET, users, tokens: [], shares: [] });
    const stream = await openWithCookie(server, cookie);
    expect(stream.status).toBe(401);
    expect(stream.headers['www-authenticate']).toBe('Session realm="JMAP"');
  });

  it('refuses every old cookie once a share is gone, with the development key', async () => {
    const cookie = await aliceCookie(null);
    const same = await boot({ pushSessionSecret: null });
    expect((await openWithCookie(same, cookie)).status).toBe(200);
    const fewer = await boot({ pushSessionSecret: null, shares: [] });
    expect((await openWithCookie(fewer, cookie)).status).toBe(401);
  });
});

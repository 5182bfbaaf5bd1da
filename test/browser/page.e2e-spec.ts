// Issues 5 and 13: the reference server's page in a real browser (Debian's Chromium, driven by playwright-core),
// with push over its native EventSource and its native WebSocket.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import type { ServerConfig } from '../../src/config/server-config';
import { sendLmtp } from '../server/support/lmtp-client';
import { ACCOUNT, recordingUpgrades, startServer, USERS, type TestServer } from '../server/support/server-fixture';
import { CHROMIUM, launchChromium, openPage, recordPageSockets, screenshot } from './support/chromium';

/** Every wait polls for a condition; this only bounds how long a broken page can keep a test waiting. */
const WAIT = { timeout: 15_000 };
/** The types the page enables push for over WebSocket. */
const DATA_TYPES = ['Mailbox', 'Email', 'Thread', 'EmailDelivery'];
/** An event-source request as the server saw it. */
interface Connect {
  readonly lastEventId: string | undefined;
  readonly response: ServerResponse;
}

describe('the demo page in Chromium', () => {
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: Error[];
  /** Paths for which the browser asked the user for a login. */
  let prompts: string[];
  let server: TestServer | undefined;
  /** The headers of every WebSocket handshake the servers of a test received. */
  const handshakes: IncomingHttpHeaders[] = [];
  const recordingHandshakes = recordingUpgrades(handshakes);

  beforeAll(async () => {
    browser = await launchChromium();
  });
  beforeEach(async () => {
    if (!browser) throw new Error(`no browser: is Chromium installed at ${CHROMIUM}?`);
    ({ page, pageErrors, prompts } = await openPage(browser));
    handshakes.length = 0;
  });
  afterEach(async () => {
    await page.context().close();
    await server?.close();
    server = undefined;
    expect(pageErrors).toEqual([]);
    // The page's own requests never make the browser ask for a password, a wrong one included.
    expect(prompts.filter((path) => path !== '/jmap/eventsource')).toEqual([]);
  });
  afterAll(() => browser?.close());

  const status = (state: string) => page.locator(`#status[data-state="${state}"]`).waitFor(WAIT);
  /** One of alice's own mailboxes in the list (bob's shared account has an Inbox too). */
  const mailbox = (name: string) =>
    page.locator(`#accounts section[data-account="${ACCOUNT.alice}"] li[data-mailbox="${name}"]`);
  const stateEvents = () => page.locator('#feed li[data-event="state"]');
  const fillSignIn = async (password: string) => {
    await page.fill('#sign-in input[name=username]', USERS.alice.username);
    await page.fill('#sign-in input[name=password]', password);
    await page.click('#sign-in button[type=submit]');
  };

  const createMailbox = async (name: string) => {
    await page.fill('#create-mailbox input[name=name]', name);
    await page.click('#create-mailbox button[type=submit]');
    await mailbox(name).waitFor(WAIT);
  };

  /** Stops the server the way a process stops, and starts a new one on its port; answers what each event-source request carried. */
  const restart = async (overrides: Partial<ServerConfig> = {}): Promise<Connect[]> => {
    const port = Number(new URL(server!.baseUrl).port);
    const closing = server!.close();
    // The module ends the stream as the app closes; the page sees it.
    await status('disconnected');
    // Then the process is gone, with every connection. (An app that is only closing can keep one of the page's
    // keep-alive sockets open; Chrome may send its reconnect on it and get the closing app's 503, which ends a
    // native EventSource for good: the page still recovers, by the second test's path, but without Last-Event-ID.)
    server!.app.getHttpServer().closeAllConnections();
    await closing;
    const connects: Connect[] = [];
    server = await startServer(
      { port, ...overrides },
      {
        beforeListen: (app) => {
          recordingHandshakes.beforeListen?.(app);
          app.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
            if (request.url?.startsWith('/jmap/eventsource?')) {
              connects.push({ lastEventId: request.headers['last-event-id'] as string | undefined, response });
            }
            next();
          });
        },
      },
    );
    expect(server.baseUrl).toBe(`http://127.0.0.1:${port}`);
    return connects;
  };

  it('signs in, changes mailboxes live, and recovers from a server restart with Last-Event-ID', async () => {
    server = await startServer();

    // The page is served by the server itself, under a policy that allows this origin only.
    const response = await page.goto(`${server.baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    // A wrong password is refused in the page, without the browser's login prompt.
    await fillSignIn('wrong');
    await page.locator('#sign-in-error', { hasText: 'Wrong username or password.' }).waitFor(WAIT);

    // Signed in, the event source opens with the cookie alone, and the mailboxes show.
    await fillSignIn(USERS.alice.password);
    await status('live');
    await mailbox('Inbox').waitFor(WAIT);
    expect(await page.locator('#who').textContent()).toBe(USERS.alice.username);
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    // bob shares his account with alice: it is listed, read-only.
    await page.locator('#accounts h3', { hasText: `${USERS.bob.username} (read-only)` }).waitFor(WAIT);
    // One cookie per push channel, each scoped to its path.
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.path).sort()).toEqual(['/jmap/eventsource', '/jmap/ws']);
    for (const cookie of cookies) {
      expect(cookie).toMatchObject({ name: 'jmap_push_session', httpOnly: true, sameSite: 'Strict', secure: false });
    }
    expect(await page.locator('#status').textContent()).toBe('live (EventSource)');
    expect(await page.evaluate('document.cookie')).toBe('');

    // A mailbox created through the page appears, and so does its push event.
    const seen = await stateEvents().count();
    await createMailbox('Projects');
    await stateEvents().nth(seen).waitFor(WAIT);
    expect(await stateEvents().first().locator('.changes').allTextContents()).toEqual([
      expect.stringMatching(new RegExp(`^${USERS.alice.username}: .*Mailbox`)),
    ]);

    // Renamed through the page.
    await mailbox('Projects').getByRole('button', { name: 'Rename' }).click();
    await page.fill('#accounts form.rename input[name=name]', 'Projects 2025');
    await page.click('#accounts form.rename button[type=submit]');
    await mailbox('Projects 2025').waitFor(WAIT);

    // A delivery over LMTP updates the Inbox's unread count without a reload.
    expect(await mailbox('Inbox').locator('.unread').textContent()).toBe('0');
    await sendLmtp(
      server.lmtpPort!,
      { from: USERS.carol.username, to: [USERS.alice.username] },
      'From: carol@example.com\r\nTo: alice@example.com\r\nSubject: Hello from LMTP\r\n\r\nHi\r\n',
    );
    await mailbox('Inbox').locator('.unread', { hasText: /^1$/ }).waitFor(WAIT);
    const lastId = await stateEvents().first().getAttribute('data-id');
    expect(lastId).toMatch(/^\d+-\d+$/);

    // Stopped and started again on the same port: the page shows it was disconnected, then is live again
    // through the browser's own reconnect, with the last id it saw and the cookie (the key is the same).
    const connects = await restart();
    await status('live');
    expect(connects.map((connect) => [connect.lastEventId, connect.response.statusCode])).toEqual([[lastId, 200]]);
    // The restarted server's store is new, and the page read the mailboxes again.
    await mailbox('Projects 2025').waitFor({ ...WAIT, state: 'detached' });
    await mailbox('Inbox').locator('.unread', { hasText: /^0$/ }).waitFor(WAIT);
    // And it is live: a change arrives over the new stream.
    await createMailbox('After restart');

    await screenshot(page, 'browser-page.png');

    // Signing out revokes the session: the browser drops the cookie, and the server refuses its value.
    const [{ value }] = await page.context().cookies(`${server.baseUrl}/jmap/eventsource`);
    await page.click('#sign-out');
    await status('signed-out');
    await page.locator('#sign-in').waitFor(WAIT);
    expect(await page.context().cookies()).toEqual([]);
    const replayed = await fetch(`${server.baseUrl}/jmap/eventsource?types=*&closeafter=no&ping=0`, {
      headers: { Cookie: `jmap_push_session=${value}` },
    });
    expect(replayed.status).toBe(401);
  }, 60_000);

  it('signs the event source in again when the browser gives up on a refused cookie', async () => {
    server = await startServer();
    await page.goto(`${server.baseUrl}/`);
    await fillSignIn(USERS.alice.password);
    await status('live');

    // The new server signs with another key, so the browser's reconnect is refused with a 401 and its
    // EventSource closes for good; the page mints a new cookie with the credentials it holds, and opens another.
    const connects = await restart({ pushSessionSecret: 'another-key-so-old-cookies-are-refused' });
    await status('live');
    expect(connects.map((connect) => [connect.lastEventId, connect.response.statusCode])).toEqual([
      [expect.stringMatching(/^\d+-\d+$/), 401],
      [undefined, 200],
    ]);
    await createMailbox('Still live');
    // That 401 challenges with the Session scheme, not Basic, so the browser never asked for a login.
    expect(prompts).toEqual([]);
  }, 60_000);

  it('over WebSocket: the native socket with the cookie, live changes, and a restart recovered with pushState', async () => {
    server = await startServer({}, recordingHandshakes);
    const sockets = recordPageSockets(page);
    await page.goto(`${server.baseUrl}/`);
    await fillSignIn(USERS.alice.password);
    await page.locator('#status[data-state="live"][data-channel="eventsource"]').waitFor(WAIT);

    // Switched to WebSocket: the page says which channel is live.
    await page.check('#channel input[value="websocket"]');
    await page.locator('#status[data-state="live"][data-channel="websocket"]').waitFor(WAIT);
    expect(await page.locator('#status').textContent()).toBe('live (WebSocket)');
    // The handshake carried the cookie alone (a page cannot set headers on it), from the page's own origin.
    expect(handshakes).toEqual([
      expect.objectContaining({
        cookie: expect.stringMatching(/^jmap_push_session=/),
        origin: server.baseUrl,
        'sec-websocket-protocol': 'jmap',
      }),
    ]);
    expect(Object.keys(handshakes[0])).not.toContain('authorization');
    // RFC 8887 section 4.3.5.2: push enabled for the page's types, nothing to resume from yet.
    expect(sockets.map((socket) => socket.url)).toEqual([`${server.baseUrl.replace('http:', 'ws:')}/jmap/ws`]);
    expect(await sockets[0].firstSent).toEqual({ '@type': 'WebSocketPushEnable', dataTypes: DATA_TYPES });

    // Changes arrive over the socket: a mailbox created in the page, a delivery over LMTP.
    await createMailbox('Over the socket');
    await sendLmtp(
      server.lmtpPort!,
      { from: USERS.carol.username, to: [USERS.alice.username] },
      'From: carol@example.com\r\nTo: alice@example.com\r\nSubject: Hello\r\n\r\nHi\r\n',
    );
    await mailbox('Inbox').locator('.unread', { hasText: /^1$/ }).waitFor(WAIT);
    const lastPushState = await stateEvents().first().getAttribute('data-id');
    expect(lastPushState).toMatch(/^\d+-\d+$/);

    // Restarted on the same port: the page opens a new socket with the cookie and resumes from the last
    // pushState it saw, as an EventSource resumes with Last-Event-ID.
    handshakes.length = 0;
    await restart();
    await page.locator('#status[data-state="live"][data-channel="websocket"]').waitFor(WAIT);
    expect(handshakes).toEqual([expect.objectContaining({ cookie: expect.stringMatching(/^jmap_push_session=/) })]);
    expect(sockets).toHaveLength(2);
    expect(await sockets[1].firstSent).toEqual({
      '@type': 'WebSocketPushEnable',
      dataTypes: DATA_TYPES,
      pushState: lastPushState,
    });
    await mailbox('Over the socket').waitFor({ ...WAIT, state: 'detached' });
    await createMailbox('After restart');
    await screenshot(page, 'browser-page-websocket.png');

    // Signing out drops both cookies.
    await page.click('#sign-out');
    await status('signed-out');
    expect(await page.context().cookies()).toEqual([]);
  }, 60_000);
});

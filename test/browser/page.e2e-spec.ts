// Issue 5: the reference server's page in a real browser (Debian's Chromium, driven by playwright-core).
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sendLmtp } from '../server/support/lmtp-client';
import { ACCOUNT, startServer, USERS, type TestServer } from '../server/support/server-fixture';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'browser-page.png');
/** Every wait is a poll for a condition; this only bounds how long a broken page can keep a test waiting. */
const WAIT = { timeout: 15_000 };

describe('the demo page in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: TestServer;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const status = (state: string) => page.locator(`#status[data-state="${state}"]`).waitFor(WAIT);
  /** One of alice's own mailboxes in the list (bob's shared account has an Inbox too). */
  const mailbox = (name: string) => page.locator(`#accounts section[data-account="${ACCOUNT.alice}"] li`).filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
  const stateEventsSeen = () => page.locator('#feed li[data-event="state"]').count();

  it('signs in, changes mailboxes live, and recovers from a server restart with Last-Event-ID', async () => {
    server = await startServer();
    page = await browser.newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));

    // The page is served by the server itself, with a policy that allows this origin only.
    const response = await page.goto(`${server.baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    // A wrong password is refused in the page, without a browser login prompt.
    await page.fill('#sign-in input[name=username]', USERS.alice.username);
    await page.fill('#sign-in input[name=password]', 'wrong');
    await page.click('#sign-in button[type=submit]');
    await page.locator('#sign-in-error', { hasText: 'Wrong username or password.' }).waitFor(WAIT);

    // Sign in: the event source opens with the cookie alone, and the mailboxes show.
    await page.fill('#sign-in input[name=password]', USERS.alice.password);
    await page.click('#sign-in button[type=submit]');
    await status('live');
    await mailbox('Inbox').waitFor(WAIT);
    expect(await page.locator('#who').textContent()).toBe(USERS.alice.username);
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    // bob shares his account with alice: it is listed, read-only.
    await page.locator('#accounts h3', { hasText: `${USERS.bob.username} (read-only)` }).waitFor(WAIT);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'jmap_push_session', path: '/jmap/eventsource', httpOnly: true, sameSite: 'Strict', secure: false }),
    ]);
    // No script can read it.
    expect(await page.evaluate('document.cookie')).toBe('');

    // Create a mailbox through the page: it appears, and so does its push event.
    const before = await stateEventsSeen();
    await page.fill('#create-mailbox input[name=name]', 'Projects');
    await page.click('#create-mailbox button[type=submit]');
    await mailbox('Projects').waitFor(WAIT);
    await page.locator('#feed li[data-event="state"]').nth(before).waitFor(WAIT);
    const created = page.locator('#feed li[data-event="state"]').first();
    expect(await created.locator('.changes').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^${USERS.alice.username}: .*Mailbox`))]);

    // Rename it through the page.
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
    const lastIdBefore = await page.locator('#feed li[data-event="state"]').first().getAttribute('data-id');
    expect(lastIdBefore).toMatch(/^\d+-\d+$/);

    // Stop the server: the page says it is disconnected.
    const port = Number(new URL(server.baseUrl).port);
    await server.close();
    await status('disconnected');

    // Start a new one on the same port, noting what each event-source request carries.
    const reconnects: Array<string | undefined> = [];
    server = await startServer(
      { port },
      {
        beforeListen: (app) =>
          app.use((request: IncomingMessage, _response: ServerResponse, next: () => void) => {
            if (request.url?.startsWith('/jmap/eventsource?')) reconnects.push(request.headers['last-event-id'] as string | undefined);
            next();
          }),
      },
    );
    expect(server.baseUrl).toBe(`http://127.0.0.1:${port}`);
    await status('live');
    // The browser's own reconnect, with the cookie signed by the same key and the last id it saw.
    expect(reconnects).toEqual([lastIdBefore]);
    // The restarted server's store is new: the page read the mailboxes again.
    await mailbox('Projects 2025').waitFor({ ...WAIT, state: 'detached' });
    await mailbox('Inbox').locator('.unread', { hasText: /^0$/ }).waitFor(WAIT);

    // Live again: a change reaches the page over the new stream.
    await page.fill('#create-mailbox input[name=name]', 'After restart');
    await page.click('#create-mailbox button[type=submit]');
    await mailbox('After restart').waitFor(WAIT);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`screenshot: ${SCREENSHOT}`);

    // Signing out revokes the session: the browser drops the cookie, and the server refuses its value.
    const [{ value }] = await page.context().cookies();
    await page.click('#sign-out');
    await status('signed-out');
    await page.locator('#sign-in').waitFor(WAIT);
    expect(await page.context().cookies()).toEqual([]);
    const replayed = await fetch(`${server.baseUrl}/jmap/eventsource?types=*&closeafter=no&ping=0`, { headers: { Cookie: `jmap_push_session=${value}` } });
    expect(replayed.status).toBe(401);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});

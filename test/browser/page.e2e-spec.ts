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
    process.stderr.write(`STEP 1 ${Date.now()}\n`);
    server = await startServer({}, { beforeListen: (app) => {
      const http = app.getHttpServer();
      let n = 0;
      (globalThis as any).SOCKS = [];
      http.on('connection', (socket: any) => {
        const rec = { id: ++n, opened: Date.now(), reqs: [] as string[], closed: 0 };
        (globalThis as any).SOCKS.push(rec);
        socket.on('close', () => (rec.closed = Date.now()));
      });
      http.on('request', (req: any, res: any) => {
        const rec = (globalThis as any).SOCKS.find((r: any) => r.sock === req.socket) ;
        void rec;
        const entry = (globalThis as any).SOCKS.find((r: any) => r.id === (req.socket.__id ??= 0));
        void entry;
        (req.socket.__reqs ??= []).push(req.method + ' ' + req.url);
        const r2 = { url: req.method + ' ' + req.url, t: Date.now(), done: 0 };
        (globalThis as any).REQS = ((globalThis as any).REQS ?? []);
        (globalThis as any).REQS.push(r2);
        res.on('close', () => (r2.done = Date.now()));
      });
    } });
    page = await browser.newPage();
    process.stderr.write(`STEP 2 ${Date.now()}\n`);
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));

    // The page is served by the server itself, with a policy that allows this origin only.
    process.stderr.write(`STEP 3 ${Date.now()}\n`);
    const response = await page.goto(`${server.baseUrl}/`);
    process.stderr.write(`STEP 4 ${Date.now()}\n`);
    expect(response?.status()).toBe(200);
    process.stderr.write(`STEP 5 ${Date.now()}\n`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    // A wrong password is refused in the page, without a browser login prompt.
    process.stderr.write(`STEP 6 ${Date.now()}\n`);
    await page.fill('#sign-in input[name=username]', USERS.alice.username);
    process.stderr.write(`STEP 7 ${Date.now()}\n`);
    await page.fill('#sign-in input[name=password]', 'wrong');
    process.stderr.write(`STEP 8 ${Date.now()}\n`);
    await page.click('#sign-in button[type=submit]');
    process.stderr.write(`STEP 9 ${Date.now()}\n`);
    await page.locator('#sign-in-error', { hasText: 'Wrong username or password.' }).waitFor(WAIT);

    // Sign in: the event source opens with the cookie alone, and the mailboxes show.
    process.stderr.write(`STEP 10 ${Date.now()}\n`);
    await page.fill('#sign-in input[name=password]', USERS.alice.password);
    process.stderr.write(`STEP 11 ${Date.now()}\n`);
    await page.click('#sign-in button[type=submit]');
    process.stderr.write(`STEP 12 ${Date.now()}\n`);
    await status('live');
    process.stderr.write(`STEP 13 ${Date.now()}\n`);
    await mailbox('Inbox').waitFor(WAIT);
    process.stderr.write(`STEP 14 ${Date.now()}\n`);
    expect(await page.locator('#who').textContent()).toBe(USERS.alice.username);
    process.stderr.write(`STEP 15 ${Date.now()}\n`);
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    // bob shares his account with alice: it is listed, read-only.
    process.stderr.write(`STEP 16 ${Date.now()}\n`);
    await page.locator('#accounts h3', { hasText: `${USERS.bob.username} (read-only)` }).waitFor(WAIT);
    process.stderr.write(`STEP 17 ${Date.now()}\n`);
    const cookies = await page.context().cookies();
    process.stderr.write(`STEP 18 ${Date.now()}\n`);
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'jmap_push_session', path: '/jmap/eventsource', httpOnly: true, sameSite: 'Strict', secure: false }),
    ]);
    // No script can read it.
    process.stderr.write(`STEP 19 ${Date.now()}\n`);
    expect(await page.evaluate('document.cookie')).toBe('');

    // Create a mailbox through the page: it appears, and so does its push event.
    process.stderr.write(`STEP 20 ${Date.now()}\n`);
    const before = await stateEventsSeen();
    process.stderr.write(`STEP 21 ${Date.now()}\n`);
    await page.fill('#create-mailbox input[name=name]', 'Projects');
    process.stderr.write(`STEP 22 ${Date.now()}\n`);
    await page.click('#create-mailbox button[type=submit]');
    process.stderr.write(`STEP 23 ${Date.now()}\n`);
    await mailbox('Projects').waitFor(WAIT);
    process.stderr.write(`STEP 24 ${Date.now()}\n`);
    await page.locator('#feed li[data-event="state"]').nth(before).waitFor(WAIT);
    process.stderr.write(`STEP 25 ${Date.now()}\n`);
    const created = page.locator('#feed li[data-event="state"]').first();
    process.stderr.write(`STEP 26 ${Date.now()}\n`);
    expect(await created.locator('.changes').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^${USERS.alice.username}: .*Mailbox`))]);

    // Rename it through the page.
    process.stderr.write(`STEP 27 ${Date.now()}\n`);
    await mailbox('Projects').getByRole('button', { name: 'Rename' }).click();
    process.stderr.write(`STEP 28 ${Date.now()}\n`);
    await page.fill('#accounts form.rename input[name=name]', 'Projects 2025');
    process.stderr.write(`STEP 29 ${Date.now()}\n`);
    await page.click('#accounts form.rename button[type=submit]');
    process.stderr.write(`STEP 30 ${Date.now()}\n`);
    await mailbox('Projects 2025').waitFor(WAIT);

    // A delivery over LMTP updates the Inbox's unread count without a reload.
    process.stderr.write(`STEP 31 ${Date.now()}\n`);
    expect(await mailbox('Inbox').locator('.unread').textContent()).toBe('0');
    await sendLmtp(
      server.lmtpPort!,
      { from: USERS.carol.username, to: [USERS.alice.username] },
      'From: carol@example.com\r\nTo: alice@example.com\r\nSubject: Hello from LMTP\r\n\r\nHi\r\n',
    );
    process.stderr.write(`STEP 32 ${Date.now()}\n`);
    await mailbox('Inbox').locator('.unread', { hasText: /^1$/ }).waitFor(WAIT);
    process.stderr.write(`STEP 33 ${Date.now()}\n`);
    const lastIdBefore = await page.locator('#feed li[data-event="state"]').first().getAttribute('data-id');
    process.stderr.write(`STEP 34 ${Date.now()}\n`);
    expect(lastIdBefore).toMatch(/^\d+-\d+$/);

    // Stop the server: the page says it is disconnected.
    process.stderr.write(`STEP 35 ${Date.now()}\n`);
    const port = Number(new URL(server.baseUrl).port);
    process.stderr.write(`STEP 36 ${Date.now()}\n`);
    {
      const http = server.app.getHttpServer();
      const t0 = Date.now();
      http.on('close', () => process.stderr.write(`HTTP closed after ${Date.now() - t0}\n`));
      const lmtp: any = server.app.get(require('../../src/lmtp/lmtp-server.service').LmtpServer);
      const smtp = lmtp.server;
      smtp.server.on('close', () => process.stderr.write(`LMTP closed after ${Date.now() - t0}\n`));
      process.stderr.write(`LMTP conns ${smtp.connections.size}\n`);
      const origEnd = http.close.bind(http);
      http.close = (...a: any[]) => { process.stderr.write(`http.close called after ${Date.now() - t0}; connections: ${(http as any)._connections}\n`); return origEnd(...a); };
      setTimeout(() => { const now = Date.now(); process.stderr.write('SOCKS ' + JSON.stringify((globalThis as any).SOCKS.map((r: any) => ({ id: r.id, age: now - r.opened, closed: r.closed ? now - r.closed : 0 }))) + '\nREQS ' + JSON.stringify((globalThis as any).REQS.map((r: any) => ({ u: r.url, ago: now - r.t, done: r.done ? now - r.done : 'open' }))) + '\n'); http.getConnections((e: any, n: number) => process.stderr.write(`HTTP conns at +3s ${n}\n`)); }, 3000).unref();
    }
    await server.close();
    process.stderr.write(`STEP 37 ${Date.now()}\n`);
    await status('disconnected');

    // Start a new one on the same port, noting what each event-source request carries.
    process.stderr.write(`STEP 38 ${Date.now()}\n`);
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
    process.stderr.write(`STEP 39 ${Date.now()}\n`);
    expect(server.baseUrl).toBe(`http://127.0.0.1:${port}`);
    process.stderr.write(`STEP 40 ${Date.now()}\n`);
    await status('live');
    // The browser's own reconnect, with the cookie signed by the same key and the last id it saw.
    process.stderr.write(`STEP 41 ${Date.now()}\n`);
    expect(reconnects).toEqual([lastIdBefore]);
    // The restarted server's store is new: the page read the mailboxes again.
    process.stderr.write(`STEP 42 ${Date.now()}\n`);
    await mailbox('Projects 2025').waitFor({ ...WAIT, state: 'detached' });
    process.stderr.write(`STEP 43 ${Date.now()}\n`);
    await mailbox('Inbox').locator('.unread', { hasText: /^0$/ }).waitFor(WAIT);

    // Live again: a change reaches the page over the new stream.
    process.stderr.write(`STEP 44 ${Date.now()}\n`);
    await page.fill('#create-mailbox input[name=name]', 'After restart');
    process.stderr.write(`STEP 45 ${Date.now()}\n`);
    await page.click('#create-mailbox button[type=submit]');
    process.stderr.write(`STEP 46 ${Date.now()}\n`);
    await mailbox('After restart').waitFor(WAIT);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    process.stderr.write(`STEP 47 ${Date.now()}\n`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`screenshot: ${SCREENSHOT}`);

    // Signing out revokes the session: the browser drops the cookie, and the server refuses its value.
    process.stderr.write(`STEP 48 ${Date.now()}\n`);
    const [{ value }] = await page.context().cookies();
    process.stderr.write(`STEP 49 ${Date.now()}\n`);
    await page.click('#sign-out');
    process.stderr.write(`STEP 50 ${Date.now()}\n`);
    await status('signed-out');
    process.stderr.write(`STEP 51 ${Date.now()}\n`);
    await page.locator('#sign-in').waitFor(WAIT);
    process.stderr.write(`STEP 52 ${Date.now()}\n`);
    expect(await page.context().cookies()).toEqual([]);
    process.stderr.write(`STEP 53 ${Date.now()}\n`);
    const replayed = await fetch(`${server.baseUrl}/jmap/eventsource?types=*&closeafter=no&ping=0`, { headers: { Cookie: `jmap_push_session=${value}` } });
    process.stderr.write(`STEP 54 ${Date.now()}\n`);
    expect(replayed.status).toBe(401);
    process.stderr.write(`STEP 55 ${Date.now()}\n`);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});

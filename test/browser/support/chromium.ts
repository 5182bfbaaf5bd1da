import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output');

/** Debian's Chromium, headless, with nothing of its own on the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/** A fresh page that records its script errors and the paths for which the browser asked for a login. */
export async function openPage(browser: Browser): Promise<{ page: Page; pageErrors: Error[]; prompts: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  // A 401 that challenges Basic makes Chrome ask for a login; note each such prompt and dismiss it, as a
  // user would (headless, nobody would, and the request would hang).
  const prompts: string[] = [];
  const cdp = await page.context().newCDPSession(page);
  cdp.on(
    'Fetch.requestPaused',
    ({ requestId }) => void cdp.send('Fetch.continueRequest', { requestId }).catch(() => undefined),
  );
  cdp.on('Fetch.authRequired', ({ requestId, request }) => {
    prompts.push(new URL(request.url).pathname);
    void cdp
      .send('Fetch.continueWithAuth', { requestId, authChallengeResponse: { response: 'CancelAuth' } })
      .catch(() => undefined);
  });
  await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*' }] });
  return { page, pageErrors, prompts };
}

/** Saves a full-page screenshot to `test-output/` and says where. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

/** A native WebSocket of the page, and the messages it sent, as the browser reports them. */
export interface PageSocket {
  readonly url: string;
  readonly sent: Record<string, unknown>[];
  /** Resolves with the first message the page sent on it. */
  readonly firstSent: Promise<Record<string, unknown>>;
}

/** Records every WebSocket the page opens, in order. */
export function recordPageSockets(page: Page): PageSocket[] {
  const sockets: PageSocket[] = [];
  page.on('websocket', (socket) => {
    const sent: Record<string, unknown>[] = [];
    const firstSent = new Promise<Record<string, unknown>>((resolve) => {
      socket.on('framesent', ({ payload }) => {
        sent.push(JSON.parse(String(payload)) as Record<string, unknown>);
        resolve(sent[0]);
      });
    });
    sockets.push({ url: socket.url(), sent, firstSent });
  });
  return sockets;
}

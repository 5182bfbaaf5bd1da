// Issue 6, point 4: slow and stuck clients. A client that never reads, while big changes pour in, costs
// the server a bounded amount of memory (its changes merge, its response's write buffer stays small) and
// is cut off after `stalledStreamTimeoutMs`; meanwhile other clients get every one of their events at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { StallWatch } from 'jmap-push/subscription/stall-watch';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { startPushApp, type PushApp, type TestUser } from '../support/push-app';
import { basicAuth, openEventStream } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { waitForIdle } from '../support/server-holds';
import { waitUntil } from '../support/wait';

// Long enough for well over 10 MiB to be published for the stuck client before it is cut off, on a busy machine too.
const STALL_TIMEOUT_MS = 2000;
const STATE_BYTES = 128 * 1024;
/** What may sit in the stuck client's response: the frame that crossed the high-water mark, and one more. */
const WRITE_BUFFER_BOUND = 16 * 1024 + 3 * (STATE_BYTES + 1024);
/** Server memory the stuck client may cost while ~40 MB of changes are published for it. */
const MEMORY_BOUND_BYTES = 16 * 1024 * 1024;
/** How late the reading client's events may arrive while the server floods the stuck one. */
const LATENCY_BOUND_MS = 250;
const USERS: Record<string, TestUser> = {
  stuck: { password: 'pw', accountIds: ['acc-flood'] },
  reader: { password: 'pw', accountIds: ['acc-flood'] },
  other: { password: 'pw', accountIds: ['acc-other'] },
};
const gc = (globalThis as { gc?: () => void }).gc;
const turn = () => new Promise((wake) => setImmediate(wake));

function memory(): number {
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
}

/** A raw event-stream client that reads (and drops) everything but the tail of what it read. */
function rawReader(port: number, user: string, query: string): Promise<{ socket: Socket; tail: () => string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let tail = '';
    let open = false;
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-(STATE_BYTES + 4096));
      if (!open && tail.includes('\r\n\r\n')) {
        open = true;
        resolve({ socket, tail: () => tail });
      }
    });
    socket.write(
      `GET /jmap/eventsource?${query} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth(user, 'pw')}\r\nX-Client: ${user}\r\n\r\n`,
    );
  });
}

describe.each(TRANSPORTS)('a client that never reads (%s transport)', (transport) => {
  let push: PushApp;
  let port: number;
  const responses = new Map<string, ServerResponse>();

  beforeAll(async () => {
    // A short history: the bus's replay ring is not what this test measures.
    push = await startPushApp({ transport, users: USERS, stalledStreamTimeoutMs: STALL_TIMEOUT_MS, historySize: 8 });
    port = Number(new URL(push.baseUrl).port);
    push.app.getHttpServer().on('request', (req: IncomingMessage, res: ServerResponse) => {
      const client = req.headers['x-client'];
      if (typeof client === 'string') responses.set(client, res);
    });
  });

  afterAll(() => push.close());

  it('holds bounded memory, is cut off after stalledStreamTimeoutMs, and delays no one else', async () => {
    const baseline = memory();
    const reader = await rawReader(port, 'reader', 'types=*&closeafter=no&ping=0');
    const other = await openEventStream(push.url('types=*&closeafter=no&ping=0'), {
      Authorization: basicAuth('other', 'pw'),
      'X-Client': 'other',
    });
    await other.next();

    // The stuck client: asks, reads the head, and never reads again.
    const stuck = connect(port, '127.0.0.1');
    const stuckClientClosed = new Promise<void>((resolve) =>
      stuck.on('close', () => {
        resolve();
      }),
    );
    stuck.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      stuck.once('data', () => {
        stuck.pause();
        resolve();
      });
      stuck.write(
        `GET /jmap/eventsource?types=*&closeafter=no&ping=1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth('stuck', 'pw')}\r\nX-Client: stuck\r\n\r\n`,
      );
    });
    const stuckResponse = responses.get('stuck')!;
    expect(push.app.get(SubscriptionRegistry).size).toBe(3);
    // The cut-off is seen on the server: the paused client cannot even read the FIN behind its full buffer.
    const stuckClosed = new Promise<number>((resolve) =>
      stuckResponse.socket!.once('close', () => {
        resolve(performance.now());
      }),
    );

    const filler = 'x'.repeat(STATE_BYTES);
    const stallWatch = push.app.get(StallWatch);
    // The stall is the stuck client's, as the server's clock sees it: from its last `stalled` with no
    // `resumed` after it (a reading client is watched too, for a moment after each large write).
    const [stuckSubscription] = push.app.get(SubscriptionRegistry).index.ofPrincipal('stuck');
    let stalledAt = Number.NaN;
    const stalled = stallWatch.stalled.bind(stallWatch);
    const resumed = stallWatch.resumed.bind(stallWatch);
    jest.spyOn(stallWatch, 'stalled').mockImplementation((target) => {
      if (target === stuckSubscription && Number.isNaN(stalledAt)) stalledAt = performance.now();
      stalled(target);
    });
    jest.spyOn(stallWatch, 'resumed').mockImplementation((target) => {
      // Read again (not ended: the cut-off itself also leaves the watch).
      if (target === stuckSubscription && !stuckSubscription.isEnded) stalledAt = Number.NaN;
      resumed(target);
    });
    let maxBuffered = 0;
    let maxMemory = 0;
    let published = 0;
    const latencies: number[] = [];
    const mergesBefore = push.metrics.snapshot().merges;
    const deadline = performance.now() + 10_000;
    let stuckGone = false as boolean; // set by the callback below, which TypeScript's narrowing does not see
    void stuckClosed.then(() => (stuckGone = true));

    for (let i = 0; !stuckGone; i++) {
      if (performance.now() > deadline) throw new Error('the stuck client was never cut off');
      await push.stateChanges.publish('acc-flood', { Email: `flood-${i}-${filler}` });
      published += STATE_BYTES;
      if (!stuckResponse.destroyed) maxBuffered = Math.max(maxBuffered, stuckResponse.writableLength);
      if (i % 10 === 0) {
        // The other client's change must arrive at once, flood or not.
        const sentAt = performance.now();
        const id = await push.stateChanges.publish('acc-other', { Email: `other-${i}` });
        const frame = await other.nextEvent('state', 2000);
        latencies.push(performance.now() - sentAt);
        expect(frame.id).toBe(id);
        expect(JSON.parse(frame.data as string).changed).toEqual({ 'acc-other': { Email: `other-${i}` } });
      }
      if (i % 25 === 0 && gc) maxMemory = Math.max(maxMemory, memory() - baseline);
      await turn();
    }
    const closedAt = await stuckClosed;

    console.log(
      `slow clients (${transport}): published ${(published / 2 ** 20).toFixed(1)} MiB, merges ${push.metrics.snapshot().merges - mergesBefore}, ` +
        `stuck write buffer max ${maxBuffered} B, memory growth max ${(maxMemory / 2 ** 20).toFixed(1)} MiB, cut off ${(closedAt - stalledAt).toFixed(0)} ms after the stall, ` +
        `other client's latency max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} events`,
    );
    // The stuck client's changes merged instead of queueing, and its write buffer stayed small.
    expect(push.metrics.snapshot().merges).toBeGreaterThan(mergesBefore);
    expect(published).toBeGreaterThan(10 * 1024 * 1024);
    expect(maxBuffered).toBeLessThan(WRITE_BUFFER_BOUND);
    if (gc) expect(maxMemory).toBeLessThan(MEMORY_BOUND_BYTES);
    else
      console.warn('slow clients: global.gc is missing, the memory bound is NOT checked; run Jest under --expose-gc');

    // It was cut off after stalledStreamTimeoutMs (the watch sweeps every quarter of it), not before.
    expect(Number.isNaN(stalledAt)).toBe(false);
    expect(closedAt - stalledAt).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS - 50);
    expect(closedAt - stalledAt).toBeLessThan(STALL_TIMEOUT_MS + STALL_TIMEOUT_MS / 4 + 500);
    await waitUntil(() => push.app.get(SubscriptionRegistry).size === 2, 'the stuck stream is released');
    // Once the stuck client reads again, it drains what the kernels held and finds its connection closed.
    stuck.resume();
    await stuckClientClosed;
    expect(stallWatch.size).toBe(0);

    // The others were never held up, and are still served: every change of theirs arrived promptly.
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(LATENCY_BOUND_MS);
    await push.stateChanges.publish('acc-flood', { Email: 'last' });
    await waitUntil(
      () => reader.tail().includes('{"acc-flood":{"Email":"last"}}'),
      'the reading client has the latest state',
      5000,
    );

    reader.socket.destroy();
    other.close();
    await waitForIdle(push);
  }, 30_000);
});

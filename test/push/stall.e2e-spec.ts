// A client that leaves one large write unread, with nothing published after it, is cut off after
// `stalledStreamTimeoutMs` like one that falls behind a flood: the stall clock starts at the write.
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { startPushApp, type PushApp } from '../support/push-app';
import { waitUntil } from '../support/wait';
import { RawConnection, rawRequest } from '../support/raw-connection';
import { TRANSPORTS } from '../support/transports';

const STALL_TIMEOUT_MS = 500;
/** Larger than what loopback's kernel buffers take in on both ends, so the one write stays unread. */
const STATE_BYTES = 48 * 1024 * 1024;

describe.each(TRANSPORTS)('a client that stops reading after one large write (%s transport)', (transport) => {
  let push: PushApp;
  beforeAll(async () => {
    push = await startPushApp({ transport, stalledStreamTimeoutMs: STALL_TIMEOUT_MS });
  });
  afterAll(() => push.close());

  it('is cut off after stalledStreamTimeoutMs although nothing more is published', async () => {
    const client = new RawConnection(Number(new URL(push.baseUrl).port));
    client.write(rawRequest('/jmap/eventsource?types=Email&closeafter=no&ping=0', { user: 'bob@example.com' }));
    await client.until((data) => data.includes('retry: 2000'), 'the stream to open');
    client.pause();
    const publishedAt = performance.now();
    await push.stateChanges.publish('acc-bob', { Email: 'x'.repeat(STATE_BYTES) });
    // Seen on the server: the paused client cannot even read the reset behind its full buffer.
    await waitUntil(
      () => push.app.get(SubscriptionRegistry).size === 0,
      'the server to cut the stalled client off',
      STALL_TIMEOUT_MS * 8,
    );
    expect(performance.now() - publishedAt).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS - 50);
    client.destroy();
  });
});

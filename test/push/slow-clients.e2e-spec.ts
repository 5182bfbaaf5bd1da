// Issue 2, point 8 (slow clients): while a client is not reading, pending changes merge (the latest state
// per account and type wins), memory per connection stays bounded, and the latest state always arrives.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stateOf, usePushApp } from '../support/push-fixture';
import type { SseFrame } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';

const CHANGES = 400;
const STATE_BYTES = 32 * 1024;
const turn = () => new Promise((wake) => setImmediate(wake));

describe.each(TRANSPORTS)('a client that stops reading (%s transport)', (transport) => {
  const fx = usePushApp(transport, {}, 'each');

  it('gets its pending changes merged, and the latest state once it reads again', async () => {
    const responses: ServerResponse[] = [];
    fx.push.app.getHttpServer().on('request', (_req: IncomingMessage, res: ServerResponse) => responses.push(res));
    const { stream } = await fx.connect('bob', 'types=*&closeafter=no&ping=0');
    const fast = await fx.connect('alice', 'types=*&closeafter=no&ping=0');
    const [slowResponse] = responses;
    stream.response.pause();

    const filler = 'x'.repeat(STATE_BYTES);
    let published = 0;
    let maxQueued = 0;
    for (let i = 0; i < CHANGES; i++) {
      await fx.push.stateChanges.publish('acc-bob', {
        Email: `${filler}-${i}`,
        Mailbox: `m${i % 7}`,
      });
      if (i === CHANGES / 2)
        await fx.push.stateChanges.publish('acc-alice', {
          Thread: 'shared-1',
        });
      published += STATE_BYTES;
      maxQueued = Math.max(maxQueued, slowResponse.writableLength);
      // Let the server write what it can: a client that reads would keep up.
      await turn();
    }
    const last = await fx.push.stateChanges.publish('acc-bob', {
      Email: 'latest',
    });
    const merges = fx.push.metrics.snapshot().merges;
    expect(merges).toBeGreaterThan(0);
    // What the server holds for the slow client is bounded: a couple of events, not the whole backlog.
    expect(maxQueued).toBeLessThan(4 * STATE_BYTES + 64 * 1024);

    // A client that reads is not held back by the slow one.
    await fast.stream.nextEvent('state');

    stream.response.resume();
    let frame: SseFrame;
    const seen: Record<string, Record<string, string>> = {};
    do {
      frame = await stream.nextEvent('state', 10_000);
      const changed = stateOf(frame).changed;
      for (const account in changed) seen[account] = { ...seen[account], ...changed[account] };
    } while (frame.id !== last);
    // The latest state of every account and type arrived, whatever was skipped on the way.
    expect(seen).toEqual({
      'acc-bob': { Email: 'latest', Mailbox: `m${(CHANGES - 1) % 7}` },
      'acc-alice': { Thread: 'shared-1' },
    });
    // Everything the server queued would reach the client in the end: fewer events than changes means
    // the backlog merged instead of queueing (in the response, Nest's SseStream or its Observable).
    const received = stream.frames.filter((f) => f.event === 'state').length;
    expect(received).toBeLessThan(CHANGES);
    expect(received).toBeLessThan(published / STATE_BYTES);
  });
});

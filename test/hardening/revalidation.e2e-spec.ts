// Issue 6, point 2: a grant revoked by the host (seen on the next revalidation) stops that account's
// events on streams that are already open; a principal the directory no longer vouches for loses them.
import { PrincipalRevalidator } from 'jmap-push/subscription/principal-revalidator';
import { changedOf as states, directoryAuth as auth, useDirectoryApp } from '../support/grant-directory';
import { openRaw } from '../support/raw-http';
import { TRANSPORTS } from '../support/transports';
import { waitUntil, within } from '../support/wait';

/** The revalidation timer is left to the test that wants it; elsewhere passes are triggered by hand. */
const REVALIDATE_BY_HAND = 3_600_000;

describe.each(TRANSPORTS)('revalidation (%s transport)', (transport) => {
  const fx = useDirectoryApp(transport, REVALIDATE_BY_HAND);
  const { directory, connect } = fx;

  it("stops a revoked account's events on open streams after PrincipalRevalidator.revalidateAll()", async () => {
    directory.grants = new Map([
      ['user-0', ['acc-0', 'acc-1']],
      ['user-1', ['acc-0']],
    ]);
    const revoked = await connect('user-0', null);
    const other = await connect('user-1', null);
    await fx.push.stateChanges.publish('acc-0', { Email: 'before' });
    expect(states(await revoked.nextEvent('state'))).toEqual({ 'acc-0': { Email: 'before' } });
    expect(states(await other.nextEvent('state'))).toEqual({ 'acc-0': { Email: 'before' } });

    directory.grants.set('user-0', ['acc-1']);
    await fx.push.app.get(PrincipalRevalidator).revalidateAll();

    // Delivery is in order: once the acc-1 event is in, an acc-0 event published before it would be too.
    await fx.push.stateChanges.publish('acc-0', { Email: 'after' });
    await fx.push.stateChanges.publish('acc-1', { Email: 'fence' });
    expect(states(await revoked.nextEvent('state'))).toEqual({ 'acc-1': { Email: 'fence' } });
    // The revocation touched only user-0.
    expect(states(await other.nextEvent('state'))).toEqual({ 'acc-0': { Email: 'after' } });
  });

  it('ends the streams of a principal the directory no longer knows', async () => {
    directory.grants = new Map([
      ['user-2', ['acc-2']],
      ['user-3', ['acc-2']],
    ]);
    const gone = await connect('user-2', null);
    const stays = await connect('user-3', null);
    directory.grants.delete('user-2');
    await fx.push.app.get(PrincipalRevalidator).revalidateAll();
    await gone.ended;
    await fx.push.stateChanges.publish('acc-2', { Email: 'e1' });
    expect(states(await stays.nextEvent('state'))).toEqual({ 'acc-2': { Email: 'e1' } });
  });

  it('ends the streams of a principal whose revalidation answers with a principal of another id', async () => {
    directory.grants = new Map([
      ['user-5', ['acc-5']],
      ['user-6', ['acc-6']],
    ]);
    const swapped = await connect('user-5', null);
    const owner = await connect('user-6', null);
    // Whoever the directory now vouches for, it is not the one who authenticated: no grant carries over.
    directory.answersAs.set('user-5', 'user-6');
    try {
      await fx.push.app.get(PrincipalRevalidator).revalidateAll();
    } finally {
      directory.answersAs.clear();
    }
    await within(swapped.ended, 2000, "user-5's stream ended");
    await fx.push.stateChanges.publish('acc-6', { Email: 'e1' });
    expect(states(await owner.nextEvent('state'))).toEqual({ 'acc-6': { Email: 'e1' } });
    expect(swapped.frames.filter((frame) => frame.event === 'state')).toEqual([]);
  });

  it('drops pending (merged, unsent) changes of a revoked account from a stream that is not reading', async () => {
    directory.grants = new Map([['user-4', ['acc-4', 'acc-5']]]);
    const port = Number(new URL(fx.push.baseUrl).port);
    const path = new URL(fx.push.url('types=*&closeafter=no&ping=0'));
    const raw = await openRaw(
      port,
      `GET ${path.pathname}${path.search} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth('user-4').Authorization}\r\n\r\n`,
    );
    expect(raw.status).toBe(200);
    // Fill the pipe until the server has to hold changes back for this stream (it then merges them).
    const big = 'x'.repeat(64 * 1024);
    const mergesBefore = fx.push.metrics.snapshot().merges;
    for (let i = 0; fx.push.metrics.snapshot().merges === mergesBefore; i++) {
      if (i > 2000) throw new Error('the stream never backed up');
      await fx.push.stateChanges.publish('acc-5', { Mailbox: `${i}-${big}` });
    }
    await fx.push.stateChanges.publish('acc-4', { Email: 'secret-after-backup' });
    directory.grants.set('user-4', ['acc-5']);
    await fx.push.app.get(PrincipalRevalidator).revalidateAll();
    await fx.push.stateChanges.publish('acc-5', { Email: 'fence' });
    // Now read everything: the held-back event may carry acc-5, never acc-4.
    let text = '';
    raw.socket.setEncoding('latin1');
    raw.socket.on('data', (chunk: string) => (text += chunk));
    raw.socket.resume();
    await waitUntil(() => text.includes('"Email":"fence"'), 'the fence event arrived', 10_000);
    expect(text).not.toContain('secret-after-backup');
    raw.socket.destroy();
  }, 30_000);
});

describe.each(TRANSPORTS)('revalidation on its timer (%s transport)', (transport) => {
  const INTERVAL_MS = 150;
  const fx = useDirectoryApp(transport, INTERVAL_MS);
  const { directory, connect } = fx;

  it(`stops a revoked account's events within revalidateIntervalMs (${INTERVAL_MS} ms)`, async () => {
    directory.grants = new Map([['user-0', ['acc-0', 'acc-1']]]);
    const stream = await connect('user-0', null);
    await fx.push.stateChanges.publish('acc-0', { Email: 'before' });
    expect(states(await stream.nextEvent('state'))).toEqual({ 'acc-0': { Email: 'before' } });

    const revokedAt = Date.now();
    directory.grants.set('user-0', ['acc-1']);
    await directory.nextRevalidation();
    // The bound the README states: a revoked grant stops flowing within revalidateIntervalMs.
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(INTERVAL_MS + 100);

    await fx.push.stateChanges.publish('acc-0', { Email: 'after' });
    await fx.push.stateChanges.publish('acc-1', { Email: 'fence' });
    expect(states(await stream.nextEvent('state'))).toEqual({ 'acc-1': { Email: 'fence' } });
  });
});

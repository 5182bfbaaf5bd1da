// Issue 2, point 10 (lifecycle): on shutdown every stream ends promptly; no timer, listener, slot or
// subscription outlives its connection, however the connection ends.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { Principal } from 'jmap-push';
import { PingScheduler } from 'jmap-push/ping/ping-scheduler';
import { SubscriptionAdmission } from 'jmap-push/subscription/subscription-admission';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { tableAuthenticator, DEFAULT_USERS, type PushApp } from '../support/push-app';
import { AUTH, usePushAppPerTest } from '../support/push-fixture';
import { serverHolds, waitForIdle } from '../support/server-holds';
import { gate } from '../support/gate';
import { ScriptedBus } from '../support/scripted-bus';
import { TRANSPORTS } from '../support/transports';
import { waitUntil } from '../support/wait';

const ALL = 'types=*&closeafter=no&ping=0';

/** Sends a GET and destroys it once `when` resolves, before any response. */
async function abandonedRequest(url: string, headers: Record<string, string>, when: Promise<unknown>): Promise<void> {
  const req = request(url, { agent: false, headers });
  req.on('error', () => undefined);
  req.end();
  await when;
  req.destroy();
}

/** Resolves when the server-side socket of the next connection closes. */
function serverSocketClosed(push: PushApp): Promise<void> {
  return new Promise((resolve) =>
    push.app.getHttpServer().once('connection', (socket: Socket) =>
      socket.once('close', () => {
        resolve();
      }),
    ),
  );
}

describe.each(TRANSPORTS)('lifecycle (%s transport)', (transport) => {
  const fx = usePushAppPerTest(transport);
  let push: PushApp | undefined;
  const open = (query: string, headers: Record<string, string>) => fx.open(query, headers);

  it('app.close() ends every open stream promptly and resolves, leaving nothing scheduled', async () => {
    push = await fx.start();
    const app = push;
    const opened = [
      await open('types=*&closeafter=no&ping=1', AUTH.bob),
      await open('types=Email&closeafter=no&ping=300', AUTH.bob),
      await open(ALL, AUTH.alice),
      await open('types=*&closeafter=state&ping=5', AUTH.carol),
    ];
    await Promise.all(opened.map((s) => s.next()));
    expect(serverHolds(app)).toEqual({
      streams: 4,
      slots: 4,
      pings: 3,
      stalled: 0,
      open: 4,
    });
    const scheduler = app.app.get(PingScheduler);
    const admission = app.app.get(SubscriptionAdmission);
    const registry = app.app.get(SubscriptionRegistry);

    const started = Date.now();
    await app.close();
    fx.forget();
    await Promise.all(opened.map((s) => s.ended));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(scheduler.size).toBe(0);
    expect(admission.held).toBe(0);
    expect(registry.size).toBe(0);
    expect(app.metrics.snapshot().openStreams).toBe(0);
    // No frame that is not part of the protocol was written on the way out.
    for (const stream of opened) expect(await stream.body).not.toMatch(/event: ?error/);
  });

  it('releases stream, slot and ping of a client that disconnects', async () => {
    push = await fx.start();
    const stream = await open('types=*&closeafter=no&ping=1', AUTH.bob);
    await stream.next();
    expect(serverHolds(push)).toEqual({
      streams: 1,
      slots: 1,
      pings: 1,
      stalled: 0,
      open: 1,
    });
    stream.close();
    await waitForIdle(push);
    // A change for the account after the client left reaches no one and breaks nothing.
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
  });

  it('leaks no slot when the client leaves while it is being authenticated', async () => {
    const called = gate();
    const verdict = gate<Principal | null>();
    const table = tableAuthenticator(DEFAULT_USERS);
    let accepted = 0;
    push = await fx.start({
      authenticator: {
        authenticateBasic: (user, password) => {
          called.open();
          return verdict.promise.then(() => {
            const principal = table.authenticateBasic(user, password) as Principal | null;
            if (principal) accepted++;
            return principal;
          });
        },
      },
    });
    const closed = serverSocketClosed(push);
    await abandonedRequest(push.url(ALL), AUTH.bob, called.promise);
    // The server has seen the client leave before the directory answers, as with a slow directory.
    await closed;
    verdict.open(null);
    await waitUntil(() => accepted > 0, 'the authenticator accepted bob');
    await waitForIdle(push);
  });

  it('leaks nothing when the client leaves while its replay is being read', async () => {
    const asked = gate();
    const answer = gate();
    const bus = new ScriptedBus();
    bus.changesSinceHook = async (id, accounts) => {
      asked.open();
      await answer.promise;
      return bus.inner.changesSince(id, accounts);
    };
    push = await fx.start({ bus });
    const closed = serverSocketClosed(push);
    const stream = await open(ALL, { ...AUTH.bob, 'Last-Event-ID': '1-1' });
    await asked.promise;
    stream.close();
    await closed;
    answer.open();
    await waitForIdle(push);
  });

  it('drops connections that arrive once shutdown began, so clients retry rather than give up', async () => {
    // A 503 would end a browser's EventSource for good; a dropped connection is retried with Last-Event-ID.
    push = await fx.start();
    push.app.get(SubscriptionAdmission).close();
    await expect(open(ALL, AUTH.bob)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(push.metrics.snapshot().rejections.unavailable).toBe(1);
  });
});

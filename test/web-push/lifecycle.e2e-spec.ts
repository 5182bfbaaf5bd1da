// Web Push in the module's life: wiring (forRootAsync, off without the option), the RFC 9749 capability,
// VAPID key rotation (RFC 9749 section 5), shutdown with pushes in flight, bodies cut to the RFC 8291
// budget, and the counters.
import {
  InMemoryPushSubscriptionStore,
  JmapPushModule,
  JmapPushSession,
  PushSubscriptionMethods,
  WEBPUSH_VAPID_CAPABILITY,
} from 'jmap-push';
import type { FakePushService } from 'jmap-push/testing';
import { DEFAULT_USERS, startPushApp, tableAuthenticator } from '../support/push-app';
import { within } from '../support/wait';
import { describeWithOpenssl } from './support/tls';
import {
  BOB,
  changedOf,
  eventually,
  payloadOf,
  publishTaken,
  quiet,
  startFakePushService,
  startWebPushApp,
  testWebPushOptions,
  vapidKeys,
  type WebPushApp,
} from './support/web-push-app';

describeWithOpenssl('Web Push in the module', () => {
  let service: FakePushService;
  const apps: WebPushApp[] = [];
  const start = async (options: Parameters<typeof startWebPushApp>[0] = {}) => {
    const app = await startWebPushApp({ service, ...options });
    apps.push(app);
    return app;
  };
  beforeAll(async () => {
    service = await startFakePushService();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(() => service.close());

  it('is off without the webPush option: the methods answer unknownMethod and no capability is advertised', async () => {
    const push = await startPushApp();
    try {
      const methods = push.app.get(PushSubscriptionMethods);
      for (const response of [await methods.get({}, BOB), await methods.set({ create: {} }, BOB)]) {
        expect(response).toEqual(['error', { type: 'unknownMethod', description: expect.any(String) as string }]);
      }
      expect(push.app.get(JmapPushSession).webPushVapidCapability()).toBeUndefined();
      await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    } finally {
      await push.close();
    }
  });

  it('advertises the VAPID public key as urn:ietf:params:jmap:webpush-vapid (RFC 9749 section 3)', async () => {
    const app = await start();
    expect(WEBPUSH_VAPID_CAPABILITY).toBe('urn:ietf:params:jmap:webpush-vapid');
    expect(app.push.app.get(JmapPushSession).webPushVapidCapability()).toEqual({
      applicationServerKey: app.vapid.publicKey,
    });
  });

  it('works with forRootAsync', async () => {
    const vapid = vapidKeys();
    const app = await start({
      webPushOptions: { vapid },
      module: JmapPushModule.forRootAsync({
        useFactory: () => ({
          authenticator: tableAuthenticator(DEFAULT_USERS),
          webPush: testWebPushOptions({ vapid }),
        }),
      }),
    });
    const phone = await app.subscribeVerified('async');
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    expect(changedOf(await service.nextPush(phone.name))).toEqual({ 'acc-bob': { Email: 'e1' } });
    expect(service.pushes(phone.name)[0].vapid).toMatchObject({ valid: true, publicKey: vapid.publicKey });
  });

  it('destroys, after a VAPID key rotation, the subscriptions made under the old key (RFC 9749 section 5)', async () => {
    const store = new InMemoryPushSubscriptionStore();
    const before = await start({ webPushOptions: { store } });
    const verified = await before.subscribeVerified('rotated-verified');
    // Its verification fails and waits a minute: still owed when the server restarts.
    before.device('rotated-pending', { status: 503, retryAfter: 60 });
    const pending = await before.subscribe('rotated-pending');
    await service.nextPush('rotated-pending');
    await eventually(async () => (await store.nextDueAt()) !== undefined, 'the verification waits for its retry');
    await before.close();
    apps.splice(apps.indexOf(before), 1);

    const after = await start({ webPushOptions: { store } });
    expect(after.vapid.publicKey).not.toBe(before.vapid.publicKey);
    expect(after.push.app.get(JmapPushSession).webPushVapidCapability()).toEqual({
      applicationServerKey: after.vapid.publicKey,
    });
    // Seen by a change: destroyed, not sent (the push service would refuse a token of another key).
    await publishTaken(after, 'acc-bob', { Email: 'e1' });
    await eventually(async () => (await store.get(verified.id)) === undefined, 'the verified one went');
    // Seen by the sweep.
    await after.revalidate();
    expect(await store.get(pending.id)).toBeUndefined();
    expect(service.pushes(verified.name)).toHaveLength(1);
    expect(service.pushes(pending.name)).toHaveLength(1);
    expect(after.push.metrics.snapshot().pushSubscriptionsDestroyed.keyRotated).toBe(2);
    // The client, seeing the new applicationServerKey, subscribes again and is served.
    const again = await after.subscribeVerified('rotated-again');
    expect(service.pushes(again.name)[0].vapid).toMatchObject({ valid: true, publicKey: after.vapid.publicKey });
  });

  it('shuts down promptly with a push in flight, and hands it back so the next start sends it', async () => {
    const store = new InMemoryPushSubscriptionStore();
    const vapid = vapidKeys();
    const first = await start({ webPushOptions: { store, vapid } });
    first.device('in-flight', { status: 201, delayMs: 60_000 });
    const phone = await first.subscribe('in-flight');
    const held = await service.nextPush('in-flight');
    expect(payloadOf(held)['@type']).toBe('PushVerification');
    apps.splice(apps.indexOf(first), 1);
    await within(first.close(), 10_000, 'the app closed with a push in flight');

    const next = await start({ webPushOptions: { store, vapid } });
    const resent = await service.nextPush('in-flight');
    expect(payloadOf(resent)).toEqual(payloadOf(held));
    expect(payloadOf(resent).pushSubscriptionId).toBe(phone.id);
    await quiet(next);
  });

  it('cuts a change too large for one push into several StateChanges, without a Topic (RFC 8291 section 4)', async () => {
    const app = await start();
    const phone = await app.subscribeVerified('large');
    service.answer('large', { status: 201, delayMs: 300 });
    await publishTaken(app, 'acc-bob', { Email: 'small' });
    await service.nextPush('large');
    // Queued while that push is in flight: one pending push of two accounts, 2,500 octets each.
    await publishTaken(app, 'acc-bob', { Email: 'b'.repeat(2_500) });
    await publishTaken(app, 'acc-alice', { Email: 'a'.repeat(2_500) });
    const parts = [await service.nextPush('large'), await service.nextPush('large')];
    expect(parts.map((push) => changedOf(push))).toEqual(
      expect.arrayContaining([
        { 'acc-bob': { Email: 'b'.repeat(2_500) } },
        { 'acc-alice': { Email: 'a'.repeat(2_500) } },
      ]),
    );
    for (const part of parts) {
      expect(part.status).toBe(201);
      expect(part.headers.topic).toBeUndefined();
    }
    expect(service.pushes(phone.name)[1].headers.topic).toBeDefined();
  });

  it('counts subscriptions created and destroyed by the client, verifications and pushes sent', async () => {
    const app = await start();
    expect(app.push.metrics.snapshot()).toMatchObject({
      pushSubscriptionsCreated: 0,
      pushVerificationsSent: 0,
      pushesSent: 0,
      pushesMerged: 0,
      pushesRetried: 0,
      pushesRejected: 0,
      pushesRefusedBySsrf: 0,
      pushSubscriptionsDestroyed: { client: 0, gone: 0, revoked: 0, expired: 0, refused: 0, keyRotated: 0 },
    });
    const kept = await app.subscribeVerified('counted-1');
    const dropped = await app.subscribeVerified('counted-2');
    await app.set({ destroy: [dropped.id] });
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    await service.nextPush(kept.name);
    await quiet(app);
    expect(app.push.metrics.snapshot()).toMatchObject({
      pushSubscriptionsCreated: 2,
      pushVerificationsSent: 2,
      pushesSent: 1,
      pushSubscriptionsDestroyed: { client: 1 },
    });
  });
});

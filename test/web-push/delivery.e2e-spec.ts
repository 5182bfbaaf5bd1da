// Web Push delivery (RFC 8620 section 7.2; RFC 8030, 8291, 8292) over real HTTPS to a fake push service:
// the PushVerification, nothing before verification, what a StateChange carries and to whom.
import { InMemoryPushSubscriptionStore, type PushSubscriptionCaller } from 'jmap-push';
import { gate } from '../support/gate';
import { describeWithOpenssl } from './support/tls';
import { BOB, changedOf, payloadOf, startWebPushApp, type WebPushApp } from './support/web-push-app';

/** A store whose `destroy` waits for the test: it holds a `/set` open after its creates. */
class HeldDestroyStore extends InMemoryPushSubscriptionStore {
  hold: Promise<void> | undefined;

  override async destroy(id: string): Promise<boolean> {
    await this.hold;
    return super.destroy(id);
  }
}

describeWithOpenssl('Web Push delivery', () => {
  const store = new HeldDestroyStore();
  let app: WebPushApp;
  beforeAll(async () => {
    app = await startWebPushApp({ webPushOptions: { store, ttlSeconds: 600 } });
  });
  afterAll(() => app.close());

  it('sends the PushVerification at once: encrypted (RFC 8291), signed (RFC 8292), with TTL, Urgency and Topic', async () => {
    const phone = await app.subscribe('verification');
    const push = await app.service.nextPush('verification');
    // RFC 8620 section 7.2.2: the object the client needs to verify, and nothing else.
    expect(payloadOf(push)).toEqual({
      '@type': 'PushVerification',
      pushSubscriptionId: phone.id,
      verificationCode: expect.stringMatching(/^\S{16,}$/) as string,
    });
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    // RFC 8620 section 7.2: "The POST request MUST have a content type of application/json".
    expect(push.headers['content-type']).toBe('application/json');
    expect(push.vapid).toMatchObject({ valid: true, publicKey: app.vapid.publicKey });
    expect(push.headers.ttl).toBe('600');
    expect(push.headers.urgency).toBe('normal');
    // RFC 8030 section 5.4: at most 32 base64url characters.
    expect(push.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    // The verification code is what /get shows, and setting it verifies.
    const [stored] = (await app.get({ ids: [phone.id] })).list as Array<Record<string, unknown>>;
    expect(stored.verificationCode).toBeNull();
    await app.set({ update: { [phone.id]: { verificationCode: payloadOf(push).verificationCode } } });
    expect(((await app.get({ ids: [phone.id] })).list as Array<Record<string, unknown>>)[0].verificationCode).toBe(
      payloadOf(push).verificationCode,
    );
  });

  it('sends the verification while the /set that created the subscription is still running (RFC 8620 section 7.2.2)', async () => {
    const spare = await app.subscribe('spare');
    const held = gate();
    store.hold = held.promise;
    const device = app.service.subscription('overtaking');
    let answered = false;
    // The create is stored and signalled, then the call waits in its destroy: the /set has not returned.
    const setting = app
      .set({
        create: { new: { deviceClientId: 'device-overtaking', url: device.endpoint, keys: device.keys } },
        destroy: [spare.id],
      })
      .then((args) => {
        answered = true;
        return args;
      });
    const verification = await app.service.nextPush('overtaking');
    expect(answered).toBe(false);
    held.open();
    store.hold = undefined;
    const args = await setting;
    expect(payloadOf(verification).pushSubscriptionId).toBe((args.created as Record<string, { id: string }>).new.id);
  });

  it('does not make /set wait for the push service', async () => {
    const device = app.service.subscription('slow-service');
    const DELAY_MS = 3_000;
    app.service.answer('slow-service', { status: 201, delayMs: DELAY_MS });
    await app.set({ create: { new: { deviceClientId: 'device-slow', url: device.endpoint, keys: device.keys } } });
    const answeredAt = Date.now();
    const verification = await app.service.nextPush('slow-service');
    // The push service answers DELAY_MS after the request came in: /set had answered before that.
    expect(answeredAt).toBeLessThan(verification.receivedAt + DELAY_MS);
  });

  it('sends nothing but the verification until the client verified; then the next change (RFC 8620 section 7.2)', async () => {
    const marker = await app.subscribeVerified('marker-1');
    const pending = await app.subscribe('unverified');
    await app.service.nextPush('unverified'); // the verification, not yet acted on
    await app.push.stateChanges.publish('acc-bob', { Email: 'before-verification' });
    // The marker shares the account: once its push arrived, the unverified subscription's turn had passed.
    expect(changedOf(await app.service.nextPush(marker.name))).toEqual({ 'acc-bob': { Email: 'before-verification' } });
    expect(app.service.pushes('unverified')).toHaveLength(1);

    const verification = app.service.pushes('unverified')[0];
    await app.set({ update: { [pending.id]: { verificationCode: payloadOf(verification).verificationCode } } });
    await app.push.stateChanges.publish('acc-bob', { Email: 'after-verification' });
    expect(changedOf(await app.service.nextPush('unverified'))).toEqual({ 'acc-bob': { Email: 'after-verification' } });
    await app.service.nextPush(marker.name);
  });

  it('rejects a wrong verification code and keeps sending nothing', async () => {
    const marker = await app.subscribeVerified('marker-2');
    const phone = await app.subscribe('wrong-code');
    await app.service.nextPush('wrong-code');
    const args = await app.set({ update: { [phone.id]: { verificationCode: 'guessed' } } });
    expect(args.notUpdated).toEqual({ [phone.id]: expect.objectContaining({ type: 'invalidProperties' }) as object });
    await app.push.stateChanges.publish('acc-bob', { Email: 'e-wrong' });
    await app.service.nextPush(marker.name);
    expect(app.service.pushes('wrong-code')).toHaveLength(1);
  });

  it('never sends a change of an account the principal cannot read', async () => {
    const carolsPeer: PushSubscriptionCaller = {
      principal: { id: 'carol@example.com', accountIds: ['acc-carol'] },
      credentialId: 'carol:password',
    };
    const bobs = await app.subscribeVerified('bob-reads');
    const carols = await app.subscribeVerified('carol-reads', carolsPeer);
    await app.push.stateChanges.publish('acc-carol', { Email: 'carols-secret' });
    await app.push.stateChanges.publish('acc-alice', { Email: 'shared-with-bob' });
    expect(changedOf(await app.service.nextPush(carols.name))).toEqual({ 'acc-carol': { Email: 'carols-secret' } });
    // bob's first push is alice's shared account: carol's change, published first, never reached him.
    expect(changedOf(await app.service.nextPush(bobs.name))).toEqual({ 'acc-alice': { Email: 'shared-with-bob' } });
    expect(app.service.pushes(carols.name)).toHaveLength(2);
  });

  it('sends only the types a subscription asked for, and nothing when none of them changed', async () => {
    const emails = await app.subscribeVerified('emails-only', BOB, { types: ['Email'] });
    const all = await app.subscribeVerified('all-types');
    await app.push.stateChanges.publish('acc-bob', { Mailbox: 'm-only' });
    // Taken on its own (the other subscription got it alone), not merged with the next change.
    expect(changedOf(await app.service.nextPush(all.name))).toEqual({ 'acc-bob': { Mailbox: 'm-only' } });
    await app.push.stateChanges.publish('acc-bob', { Mailbox: 'm2', Email: 'e2' });
    expect(changedOf(await app.service.nextPush(all.name))).toEqual({ 'acc-bob': { Mailbox: 'm2', Email: 'e2' } });
    // The Mailbox-only change sent it nothing; the next one only its Email state.
    expect(changedOf(await app.service.nextPush(emails.name))).toEqual({ 'acc-bob': { Email: 'e2' } });
    expect(app.service.pushes(emails.name)).toHaveLength(2); // the verification and one StateChange
  });

  it('gives a StateChange the highest urgency of its types (RFC 8030 section 5.3), and one Topic per subscription', async () => {
    const phone = await app.subscribeVerified('urgency');
    const verification = app.service.pushes('urgency')[0];
    await app.push.stateChanges.publish('acc-bob', { Mailbox: 'm-urgency' });
    const mailbox = await app.service.nextPush('urgency');
    await app.push.stateChanges.publish('acc-bob', { Mailbox: 'm-urgency-2', EmailDelivery: 'd1' });
    const delivery = await app.service.nextPush('urgency');
    expect(mailbox.headers.urgency).toBe('normal');
    expect(delivery.headers.urgency).toBe('high');
    // RFC 8030 section 5.4: a newer push replaces an undelivered older one of the same topic.
    expect(new Set([verification, mailbox, delivery].map((push) => push.headers.topic)).size).toBe(1);
    const other = await app.subscribeVerified('urgency-other');
    expect(app.service.pushes(other.name)[0].headers.topic).not.toBe(mailbox.headers.topic);
    expect(phone.id).not.toBe(other.id);
  });
});

// Push subscriptions belong to a credential (RFC 8620 section 7.2): only it sees them, a revoked or
// signed-out credential destroys them ("MUST be destroyed"), a revoked grant stops its account's pushes,
// and nothing is sent after `expires`.
import type { IncomingMessage } from 'node:http';
import { pushSubscriptionCaller, type Authenticator, type Principal, type PushSubscriptionCaller } from 'jmap-push';
import { BrowserSessions } from 'jmap-push/auth/browser-sessions';
import { PushSubscriptionRevalidation } from 'jmap-push/web-push/push-subscription-revalidation';
import { expectLogged } from '../support/expected-logs';
import { basicAuth } from '../support/sse-client';
import { waitUntil } from '../support/wait';
import { describeWithOpenssl } from './support/tls';
import { changedOf, eventually, publishTaken, quiet, startWebPushApp, type WebPushApp } from './support/web-push-app';

/** The test's directory: it signs bob in by password, and answers `revalidate` per credential. */
class Directory implements Authenticator {
  grants = new Map<string, string[]>();
  revokedCredentials = new Set<string>();
  failing = false;

  authenticateBasic(username: string, password: string): Principal | null {
    const accountIds = this.grants.get(username);
    return accountIds && password === `pw-${username}`
      ? { id: username, accountIds: [...accountIds], credentialId: `${username}:password` }
      : null;
  }

  revalidate(principal: Principal): Principal | null {
    if (this.failing) throw new Error('the directory is down');
    const accountIds = this.grants.get(principal.id);
    if (!accountIds || this.revokedCredentials.has(principal.credentialId ?? principal.id)) return null;
    return { ...principal, accountIds: [...accountIds] };
  }
}

/** bob, authenticated with one of his credentials. */
const bobWith = (credentialId: string): PushSubscriptionCaller => ({
  principal: { id: 'bob', accountIds: ['acc-bob', 'acc-alice'], credentialId },
});
const PASSWORD = bobWith('bob:password');
const TOKEN = bobWith('bob:token-1');
const ids = (args: Record<string, unknown>) => (args.list as Array<{ id: string }>).map((item) => item.id);

describeWithOpenssl('Web Push subscriptions and their credentials', () => {
  const directory = new Directory();
  let app: WebPushApp;
  beforeEach(async () => {
    directory.grants = new Map([['bob', ['acc-bob', 'acc-alice']]]);
    directory.revokedCredentials.clear();
    directory.failing = false;
    app = await startWebPushApp({
      authenticator: directory,
      browserSessions: { secret: 'web-push-credentials-test-secret-0123456789', secure: false },
    });
  });
  afterEach(() => app.close());

  it('shows each credential only its own subscriptions, and lets it change only those', async () => {
    const byPassword = await app.subscribeVerified('password-device', PASSWORD);
    const byToken = await app.subscribeVerified('token-device', TOKEN);
    expect(ids(await app.get({ ids: null }, PASSWORD))).toEqual([byPassword.id]);
    expect(ids(await app.get({ ids: null }, TOKEN))).toEqual([byToken.id]);
    expect(await app.get({ ids: [byPassword.id] }, TOKEN)).toMatchObject({ list: [], notFound: [byPassword.id] });
    const args = await app.set({ destroy: [byPassword.id], update: { [byPassword.id]: { types: null } } }, TOKEN);
    expect(args).toMatchObject({
      destroyed: null,
      notDestroyed: { [byPassword.id]: { type: 'notFound' } },
      notUpdated: { [byPassword.id]: { type: 'notFound' } },
    });
    // Both belong to bob: a change of his account goes to both devices.
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    expect(changedOf(await app.service.nextPush(byPassword.name))).toEqual({ 'acc-bob': { Email: 'e1' } });
    expect(changedOf(await app.service.nextPush(byToken.name))).toEqual({ 'acc-bob': { Email: 'e1' } });
  });

  it('destroys the subscriptions of a credential revalidate no longer knows, and only those (RFC 8620 section 7.2 MUST)', async () => {
    const byPassword = await app.subscribeVerified('kept', PASSWORD);
    const byToken = await app.subscribeVerified('revoked', TOKEN);
    directory.revokedCredentials.add('bob:token-1');
    await app.revalidate();
    expect(await app.store.get(byToken.id)).toBeUndefined();
    expect(await app.store.listByCredential('bob:token-1')).toEqual([]);
    expect(await app.get({ ids: [byToken.id] }, TOKEN)).toMatchObject({ notFound: [byToken.id] });
    expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.revoked).toBe(1);
    await publishTaken(app, 'acc-bob', { Email: 'after-revocation' });
    expect(changedOf(await app.service.nextPush(byPassword.name))).toEqual({
      'acc-bob': { Email: 'after-revocation' },
    });
    await quiet(app);
    expect(app.service.pushes(byToken.name)).toHaveLength(1); // its verification only
  });

  it('revalidates on its own every revalidateIntervalMs', async () => {
    await app.close();
    app = await startWebPushApp({ authenticator: directory, revalidateIntervalMs: 200 });
    const phone = await app.subscribeVerified('timed', TOKEN);
    directory.revokedCredentials.add('bob:token-1');
    await eventually(async () => (await app.store.get(phone.id)) === undefined, 'the timer revalidated', 5_000);
    expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.revoked).toBe(1);
  });

  it('keeps every subscription when revalidate throws (a directory outage must not wipe every device)', async () => {
    const phone = await app.subscribeVerified('outage', PASSWORD);
    directory.failing = true;
    await expectLogged('warn', /could not be revalidated; they stay as they are: the directory is down/, () =>
      app.revalidate(),
    );
    expect(await app.store.get(phone.id)).toBeDefined();
    expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.revoked).toBe(0);
  });

  it('stops the pushes of an account whose grant was revoked', async () => {
    const phone = await app.subscribeVerified('narrowed', PASSWORD);
    directory.grants.set('bob', ['acc-bob']);
    await app.revalidate();
    expect((await app.store.get(phone.id))?.principal.accountIds).toEqual(['acc-bob']);
    await publishTaken(app, 'acc-alice', { Email: 'no-longer-shared' });
    await publishTaken(app, 'acc-bob', { Email: 'his-own' });
    expect(changedOf(await app.service.nextPush(phone.name))).toEqual({ 'acc-bob': { Email: 'his-own' } });
    await quiet(app);
    expect(app.service.pushes(phone.name)).toHaveLength(2);
  });

  it('destroys the subscriptions of a browser session when it signs out, and expires them with it', async () => {
    const signIn = await fetch(`${app.push.baseUrl}/jmap/eventsource/session`, {
      method: 'POST',
      headers: { Authorization: basicAuth('bob', 'pw-bob') },
    });
    expect(signIn.status).toBe(204);
    const cookie = (signIn.headers.get('set-cookie') as string).split(';')[0];
    // What a host's JMAP API does with a cookie-authenticated request.
    const session = app.push.app
      .get(BrowserSessions)
      .sessionOf({ headers: { cookie } } as unknown as IncomingMessage) as NonNullable<
      ReturnType<BrowserSessions['sessionOf']>
    >;
    const caller = pushSubscriptionCaller({ principal: session.principal, session });
    const inBrowser = await app.subscribeVerified('browser', caller);
    const byPassword = await app.subscribeVerified('password', PASSWORD);
    expect(Date.parse(inBrowser.created.expires as string)).toBeLessThanOrEqual(session.expiresAt);

    const signOut = await fetch(`${app.push.baseUrl}/jmap/eventsource/session`, {
      method: 'DELETE',
      headers: { Cookie: cookie },
    });
    expect(signOut.status).toBe(204);
    await eventually(async () => (await app.store.get(inBrowser.id)) === undefined, 'the session’s subscription went');
    expect(await app.store.get(byPassword.id)).toBeDefined();
    expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.revoked).toBe(1);
  });

  it('on a sign-out that revokes all sessions minted so far, destroys every browser-session subscription of the principal', async () => {
    const sessionOf = (id: string): PushSubscriptionCaller =>
      pushSubscriptionCaller({
        principal: { id: 'bob', accountIds: ['acc-bob'] },
        session: { id, issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000 },
      });
    const first = await app.subscribe('session-1', sessionOf('s-1'));
    const second = await app.subscribe('session-2', sessionOf('s-2'));
    const byPassword = await app.subscribe('password-kept', PASSWORD);
    const carols = await app.subscribe('carols-session', {
      ...sessionOf('s-carol'),
      principal: { id: 'carol', accountIds: ['acc-carol'] },
    });
    await app.push.app
      .get(PushSubscriptionRevalidation)
      .signedOut({ principalId: 'bob', sessionId: 's-other', mintedUpTo: Date.now() });
    expect(await app.store.get(first.id)).toBeUndefined();
    expect(await app.store.get(second.id)).toBeUndefined();
    expect(await app.store.get(byPassword.id)).toBeDefined();
    expect(await app.store.get(carols.id)).toBeDefined();
  });

  it('sends nothing after `expires`, and destroys the expired subscription when it is seen or swept', async () => {
    const marker = await app.subscribeVerified('marker', PASSWORD);
    const expires = new Date(Date.now() + 1_500).toISOString();
    const shortLived = await app.subscribeVerified('short-lived', PASSWORD, { expires });
    const quietAccount = { principal: { id: 'bob', accountIds: ['acc-quiet'], credentialId: 'bob:other-token' } };
    const unseen = await app.subscribe('never-seen', quietAccount, { expires });
    await waitUntil(() => Date.now() > Date.parse(expires), 'the subscriptions expired', 3_000);

    await publishTaken(app, 'acc-bob', { Email: 'after-expiry' });
    expect(changedOf(await app.service.nextPush(marker.name))).toEqual({ 'acc-bob': { Email: 'after-expiry' } });
    // Seen by the change: destroyed at once.
    await eventually(async () => (await app.store.get(shortLived.id)) === undefined, 'the expired one went');
    expect(app.service.pushes(shortLived.name)).toHaveLength(1);
    // Of no account that changed: the periodic sweep destroys it.
    expect(await app.store.get(unseen.id)).toBeDefined();
    await app.revalidate();
    expect(await app.store.get(unseen.id)).toBeUndefined();
    expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.expired).toBe(2);
  });

  it('does not send a retry that falls due after `expires`', async () => {
    const expires = new Date(Date.now() + 1_500).toISOString();
    const phone = await app.subscribeVerified('expiring-retry', PASSWORD, { expires });
    app.service.answer('expiring-retry', { status: 429, retryAfter: 2 });
    await publishTaken(app, 'acc-bob', { Email: 'e1' });
    await app.service.nextPush('expiring-retry');
    await eventually(async () => (await app.store.get(phone.id)) === undefined, 'the subscription expired', 6_000);
    expect(app.service.pushes('expiring-retry')).toHaveLength(2);
    expect(app.push.metrics.snapshot().pushSubscriptionsDestroyed.expired).toBe(1);
  });
});

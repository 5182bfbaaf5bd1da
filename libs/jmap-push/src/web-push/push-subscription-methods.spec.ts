import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { TypeRegistry } from '../state/type-registry';
import { DeliverySignal } from './delivery-signal';
import { InMemoryPushSubscriptionStore } from './in-memory-push-subscription.store';
import type { StoredPushSubscription } from './push-subscription';
import type { PushSubscriptionCaller } from './push-subscription-caller';
import { PushSubscriptionMethods } from './push-subscription-methods';
import {
  callerOf,
  deviceKeys,
  methodsFixture,
  TYPES,
  validCreate,
  type MethodsFixture,
} from './push-subscription-methods.fixture';
import { PushSubscriptionStore } from './push-subscription-store.interface';
import { parseUtcDate } from './utc-date';
import { WEB_PUSH_SETTINGS } from './web-push.internal-constants';
import { resolveWebPushSettings } from './web-push-settings';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const alice = callerOf('alice-password');

let fixture: MethodsFixture;
beforeEach(() => {
  fixture = methodsFixture({ maxSubscriptionsPerCredential: 4, maxCreationsPerMinute: 3 });
});

afterEach(() => {
  jest.restoreAllMocks();
});

async function set(args: unknown, caller: PushSubscriptionCaller = alice): Promise<Record<string, any>> {
  const [name, response] = await fixture.methods.set(args, caller);
  expect(name).toBe('PushSubscription/set');
  return response;
}

async function get(args: unknown, caller: PushSubscriptionCaller = alice): Promise<Record<string, any>> {
  const [name, response] = await fixture.methods.get(args, caller);
  expect(name).toBe('PushSubscription/get');
  return response;
}

/** Creates one subscription and returns its id. */
async function create(props: Record<string, unknown> = {}, caller: PushSubscriptionCaller = alice): Promise<string> {
  const response = await set({ create: { c: validCreate(props) } }, caller);
  expect(response.notCreated).toBeNull();
  return response.created.c.id;
}

async function stored(id: string): Promise<StoredPushSubscription> {
  const subscription = await fixture.store.get(id);
  if (!subscription) throw new Error(`${id} is not stored`);
  return subscription;
}

/** The code the PushVerification to `id` carries: what the delivery worker would send. */
async function verificationCodeOf(id: string): Promise<string> {
  return (await stored(id)).verificationCode;
}

describe('PushSubscription/set create (RFC 8620 section 7.2.2)', () => {
  it('stores the subscription for the calling credential, unverified, with a fresh code and the VAPID key', async () => {
    const before = Date.now();
    const keys = deviceKeys();
    const id = await create({ keys, types: ['Email'] });
    const subscription = await stored(id);
    expect(subscription).toEqual({
      id,
      credentialId: 'alice-password',
      principal: { id: 'alice', accountIds: ['a', 'shared'] },
      deviceClientId: 'device-1',
      url: 'https://push.example/endpoint/1',
      keys,
      verificationCode: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      verified: false,
      expires: expect.any(Number),
      types: ['Email'],
      createdAt: expect.any(Number),
      vapidPublicKey: fixture.settings.vapid.publicKey,
    });
    expect(subscription.createdAt).toBeGreaterThanOrEqual(before);
    expect(subscription.createdAt).toBeLessThanOrEqual(Date.now());
  });

  it('stores a plain copy of the principal, nothing the host added to it', async () => {
    class HostUser {
      readonly password = 'not for the store';
      constructor(
        readonly id: string,
        readonly accountIds: string[],
        readonly credentialId: string,
      ) {}
    }
    const principal = new HostUser('alice', ['a'], 'token-1');
    const id = await create({}, { principal, credentialId: 'token-1' });
    const subscription = await stored(id);
    expect(subscription.principal).toStrictEqual({ id: 'alice', accountIds: ['a'], credentialId: 'token-1' });
    principal.accountIds.push('later');
    expect((await stored(id)).principal.accountIds).toEqual(['a']);
  });

  it('answers id and the defaults of what the client omitted, never url or keys (the spec example)', async () => {
    const before = Date.now();
    const response = await set({
      create: {
        '4f29': {
          deviceClientId: 'a889-ffea-910',
          url: 'https://example.com/push/?device=X8980fc&client=12c6d086',
          types: ['Mailbox', 'Email', 'EmailDelivery'],
        },
      },
    });
    const created = response.created['4f29'];
    expect(Object.keys(created).sort()).toEqual(['expires', 'id', 'keys', 'verificationCode']);
    expect(created.id).toMatch(/^P[A-Za-z0-9_-]{22}$/);
    expect(created.keys).toBeNull();
    expect(created.verificationCode).toBeNull();
    // No expires asked: the server sets its maximum, 7 days by default (section 7.2 SHOULD be at least 7 days).
    const expires = parseUtcDate(created.expires)!;
    expect(created.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(expires).toBeGreaterThan(before + 7 * DAY - 1_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    expect(expires).toBe((await stored(created.id)).expires);
  });

  it('answers without keys when the client sent them, and with types null when it omitted them', async () => {
    const response = await set({ create: { c: validCreate() } });
    expect(response.created.c).not.toHaveProperty('keys');
    expect(response.created.c.types).toBeNull();
    expect(JSON.stringify(response)).not.toContain('push.example');
  });

  it('has no accountId, oldState or newState in the answer, and null for what did not happen', async () => {
    const response = await set({ create: { c: validCreate() } });
    expect(Object.keys(response).sort()).toEqual([
      'created',
      'destroyed',
      'notCreated',
      'notDestroyed',
      'notUpdated',
      'updated',
    ]);
    expect(response).toMatchObject({
      updated: null,
      destroyed: null,
      notCreated: null,
      notUpdated: null,
      notDestroyed: null,
    });
    expect(await set({})).toEqual({
      created: null,
      updated: null,
      destroyed: null,
      notCreated: null,
      notUpdated: null,
      notDestroyed: null,
    });
  });

  it('schedules the PushVerification at once and signals delivery before answering', async () => {
    const id = await create();
    expect(fixture.notified()).toBe(1);
    const [claim] = await fixture.store.claimDue(Date.now(), 30_000, 10);
    expect(claim.subscription.id).toBe(id);
    expect(claim.pending).toEqual({ verification: true, changes: {} });
    expect(await fixture.store.claimDue(Date.now(), 30_000, 10)).toEqual([]);
  });

  it('signals once per create, and not at all for a refused one', async () => {
    await set({ create: { a: validCreate(), b: validCreate({ url: 'http://push.example/' }), c: validCreate() } });
    expect(fixture.notified()).toBe(2);
  });

  it('gives each subscription its own id and verification code', async () => {
    const response = await set({ create: { a: validCreate(), b: validCreate() } });
    const [a, b] = [response.created.a.id, response.created.b.id];
    expect(a).not.toBe(b);
    expect(await verificationCodeOf(a)).not.toBe(await verificationCodeOf(b));
  });

  describe('refuses a bad create with invalidProperties, and stores nothing for it', () => {
    async function refused(props: Record<string, unknown>, property: string): Promise<Record<string, any>> {
      const response = await set({ create: { c: props } });
      expect(response.created).toBeNull();
      expect(response.notCreated.c).toEqual({
        type: 'invalidProperties',
        description: expect.any(String),
        properties: expect.arrayContaining([property]),
      });
      expect(await fixture.store.listByCredential('alice-password')).toEqual([]);
      expect(await fixture.store.nextDueAt()).toBeUndefined();
      expect(fixture.notified()).toBe(0);
      return response.notCreated.c;
    }

    it.each([
      ['missing', undefined],
      ['not a string', 42],
      ['empty', ''],
      ['longer than 255 characters', 'd'.repeat(256)],
    ])('deviceClientId %s', async (_, deviceClientId) => {
      await refused(validCreate({ deviceClientId }), 'deviceClientId');
    });

    it.each([
      ['missing', undefined],
      ['http', 'http://push.example/endpoint'],
      ['relative', '/endpoint'],
      ['with credentials', 'https://user:pass@push.example/endpoint'],
      ['unparseable', 'https://'],
      ['with a space', 'https://push.example/a b'],
      ['not a string', { href: 'https://push.example/' }],
    ])('url %s (it "MUST begin with https://")', async (_, url) => {
      await refused(validCreate({ url }), 'url');
    });

    it('url longer than maxUrlLength', async () => {
      const url = `https://push.example/${'a'.repeat(2_048)}`;
      expect((await refused(validCreate({ url }), 'url')).description).toContain('longer than 2048');
    });

    it('keys whose p256dh is not a P-256 point, or whose auth is not 16 octets', async () => {
      const keys = deviceKeys();
      const point = Buffer.from(keys.p256dh, 'base64url');
      point[64] ^= 1;
      await refused(validCreate({ keys: { ...keys, p256dh: point.toString('base64url') } }), 'keys');
      await refused(validCreate({ keys: { ...keys, auth: Buffer.alloc(15).toString('base64url') } }), 'keys');
      await refused(validCreate({ keys: { p256dh: keys.p256dh } }), 'keys');
      await refused(validCreate({ keys: 'keys' }), 'keys');
    });

    it('a verificationCode ("This MUST be null (or omitted) when the subscription is created")', async () => {
      await refused(validCreate({ verificationCode: 'guessed' }), 'verificationCode');
    });

    it('an id: the server sets it', async () => {
      await refused(validCreate({ id: 'Pchosen' }), 'id');
    });

    it('a property PushSubscription does not have', async () => {
      await refused(validCreate({ colour: 'blue' }), 'colour');
    });

    it.each([
      ['not a UTCDate', '2030-01-01'],
      ['with an offset', '2030-01-01T00:00:00+01:00'],
      ['a number', 1_900_000_000_000],
      ['in the past', '2001-01-01T00:00:00Z'],
    ])('expires %s', async (_, expires) => {
      await refused(validCreate({ expires }), 'expires');
    });

    it.each([
      ['naming an unknown type', ['Email', 'Calendar']],
      ['not an array', 'Email'],
      ['holding a non-string', ['Email', 1]],
    ])('types %s', async (_, types) => {
      await refused(validCreate({ types }), 'types');
    });

    it('names every bad property at once', async () => {
      const problem = await refused({ url: 'http://x/', verificationCode: 'x', types: ['Nope'], extra: 1 }, 'url');
      expect([...problem.properties].sort()).toEqual(['deviceClientId', 'extra', 'types', 'url', 'verificationCode']);
    });
  });

  it('takes padded keys and stores them unpadded', async () => {
    const keys = deviceKeys();
    const id = await create({ keys: { p256dh: `${keys.p256dh}=`, auth: `${keys.auth}==` } });
    expect((await stored(id)).keys).toEqual(keys);
  });

  it('takes keys: null and types: null explicitly, without echoing them', async () => {
    const response = await set({ create: { c: validCreate({ keys: null, types: null, verificationCode: null }) } });
    expect(Object.keys(response.created.c).sort()).toEqual(['expires', 'id']);
    const subscription = await stored(response.created.c.id);
    expect(subscription.keys).toBeNull();
    expect(subscription.types).toBeNull();
  });

  it('keeps types once each, of the types the server pushes', async () => {
    const id = await create({ types: ['Email', 'Mailbox', 'Email'] });
    expect((await stored(id)).types).toEqual(['Email', 'Mailbox']);
    const all = await create({ types: [...TYPES] });
    expect((await stored(all)).types).toEqual([...TYPES]);
  });

  describe('expires (RFC 8620 section 7.2)', () => {
    it('keeps an expiry within the limit as asked, and does not echo it', async () => {
      const asked = new Date(Date.now() + DAY).toISOString().replace(/\.\d+Z$/, 'Z');
      const response = await set({ create: { c: validCreate({ expires: asked }) } });
      expect(response.created.c).not.toHaveProperty('expires');
      expect((await stored(response.created.c.id)).expires).toBe(parseUtcDate(asked));
    });

    it('cuts an expiry too far in the future to maxExpiresSeconds, and answers the time it set', async () => {
      const response = await set({ create: { c: validCreate({ expires: '2999-01-01T00:00:00Z' }) } });
      const expires = parseUtcDate(response.created.c.expires)!;
      expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY);
      expect(expires).toBeGreaterThan(Date.now() - 60_000 + 7 * DAY);
      expect((await stored(response.created.c.id)).expires).toBe(expires);
    });

    it('honours a smaller maxExpiresSeconds', async () => {
      fixture = methodsFixture({ maxExpiresSeconds: 48 * 3_600 });
      const response = await set({ create: { c: validCreate() } });
      expect(parseUtcDate(response.created.c.expires)).toBeLessThanOrEqual(Date.now() + 2 * DAY);
    });

    it('with a credential that expires itself: its expiry, not bounded by maxExpiresSeconds', async () => {
      // "the server SHOULD NOT set or bound the expiry time ... but MUST expire it when the session expires"
      const credentialExpiresAt = Date.UTC(2999, 0, 1);
      const session = callerOf('browser-session:s1', { credentialExpiresAt });
      const response = await set({ create: { c: validCreate() } }, session);
      expect(response.created.c.expires).toBe('2999-01-01T00:00:00Z');
      const later = await set({ create: { c: validCreate({ expires: '3000-01-01T00:00:00Z' }) } }, session);
      expect(later.created.c.expires).toBe('2999-01-01T00:00:00Z');
      const sooner = await set({ create: { c: validCreate({ expires: '2998-01-01T00:00:00Z' }) } }, session);
      expect(sooner.created.c).not.toHaveProperty('expires');
      expect((await stored(sooner.created.c.id)).expires).toBe(Date.UTC(2998, 0, 1));
    });

    it('with a credential expiry that is no time (a host bug): bounded by maxExpiresSeconds, never forever', async () => {
      const odd = callerOf('browser-session:odd', { credentialExpiresAt: Number.NaN });
      const response = await set({ create: { c: validCreate({ expires: '2999-01-01T00:00:00Z' }) } }, odd);
      expect(parseUtcDate(response.created.c.expires)).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    });

    it('with a credential that expired: forbidden', async () => {
      const expired = callerOf('browser-session:old', { credentialExpiresAt: Date.now() - 1_000 });
      const response = await set({ create: { c: validCreate() } }, expired);
      expect(response.notCreated.c).toEqual({ type: 'forbidden', description: expect.stringContaining('expired') });
      expect(await fixture.store.listByCredential('browser-session:old')).toEqual([]);
    });
  });

  describe('limits (RFC 8620 section 8.6)', () => {
    it('refuses a create beyond maxSubscriptionsPerCredential with overQuota', async () => {
      const response = await set({
        create: { a: validCreate(), b: validCreate(), c: validCreate() },
      });
      expect(Object.keys(response.created)).toHaveLength(3);
      jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000); // past the rate limit's minute
      const next = await set({ create: { d: validCreate(), e: validCreate() } });
      expect(Object.keys(next.created)).toEqual(['d']);
      expect(next.notCreated.e).toEqual({ type: 'overQuota', description: expect.stringContaining('at most 4') });
      expect(await fixture.store.listByCredential('alice-password')).toHaveLength(4);
    });

    it('counts per credential: another credential of the same user has its own quota', async () => {
      fixture = methodsFixture({ maxSubscriptionsPerCredential: 1 });
      await create();
      expect((await set({ create: { c: validCreate() } })).notCreated.c.type).toBe('overQuota');
      await create({}, callerOf('alice-token'));
    });

    it('frees a place when a subscription is destroyed or has expired', async () => {
      fixture = methodsFixture({ maxSubscriptionsPerCredential: 1 });
      const first = await create();
      await set({ destroy: [first] });
      const second = await create();
      const expires = (await stored(second)).expires;
      jest.spyOn(Date, 'now').mockReturnValue(expires);
      await create();
      // The expired one was destroyed on the way: its URL and keys are gone from the store.
      expect(await fixture.store.get(second)).toBeUndefined();
    });

    it('refuses a create beyond maxCreationsPerMinute with rateLimit, and allows it a minute later', async () => {
      fixture = methodsFixture({ maxCreationsPerMinute: 2 });
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
      const response = await set({ create: { a: validCreate(), b: validCreate(), c: validCreate() } });
      expect(Object.keys(response.created)).toEqual(['a', 'b']);
      expect(response.notCreated.c).toEqual({ type: 'rateLimit', description: expect.stringContaining('at most 2') });
      // Destroying does not give creations back: the verification requests were sent.
      await set({ destroy: [response.created.a.id] });
      expect((await set({ create: { d: validCreate() } })).notCreated.d.type).toBe('rateLimit');
      clock.mockReturnValue(now + 60_000);
      expect((await set({ create: { e: validCreate() } })).created.e.id).toEqual(expect.any(String));
    });

    it('does not count refused creates against the rate', async () => {
      fixture = methodsFixture({ maxCreationsPerMinute: 1 });
      await set({ create: { bad: validCreate({ url: 'http://x/' }) } });
      await create();
    });

    it('refuses a call with more creates than a credential may hold with requestTooLarge, storing nothing', async () => {
      const create = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`c${i}`, validCreate()]));
      expect(await fixture.methods.set({ create }, alice)).toEqual([
        'error',
        { type: 'requestTooLarge', description: expect.stringContaining('at most 4') },
      ]);
      expect(await fixture.store.listByCredential('alice-password')).toEqual([]);
    });

    it('keeps to the quota when one credential sends concurrent calls', async () => {
      fixture = methodsFixture({ maxSubscriptionsPerCredential: 2, maxCreationsPerMinute: 100 });
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => fixture.methods.set({ create: { c: validCreate() } }, alice)),
      );
      const created = answers.filter(([, response]) => response.created !== null);
      expect(created).toHaveLength(2);
      expect(await fixture.store.listByCredential('alice-password')).toHaveLength(2);
    });
  });
});

describe('PushSubscription/set update (RFC 8620 section 7.2.2)', () => {
  it('verifies the subscription with the right verificationCode; /get then shows it', async () => {
    const id = await create();
    const code = await verificationCodeOf(id);
    expect(await set({ update: { [id]: { verificationCode: code } } })).toMatchObject({
      updated: { [id]: null },
      notUpdated: null,
    });
    expect((await stored(id)).verified).toBe(true);
    expect((await get({ ids: [id] })).list[0].verificationCode).toBe(code);
    // Sending it again changes nothing and is no error.
    expect((await set({ update: { [id]: { verificationCode: code } } })).updated).toEqual({ [id]: null });
  });

  it('refuses a wrong verificationCode with invalidProperties and stays unverified', async () => {
    // "Attempts to update the subscription with an invalid verification code MUST be rejected ... invalidProperties"
    const id = await create();
    const code = await verificationCodeOf(id);
    for (const wrong of [
      `${code}x`,
      code.slice(1),
      '',
      code.toLowerCase() === code ? code.toUpperCase() : code.toLowerCase(),
      42,
    ]) {
      const response = await set({ update: { [id]: { verificationCode: wrong } } });
      expect(response.notUpdated[id]).toEqual({
        type: 'invalidProperties',
        description: expect.any(String),
        properties: ['verificationCode'],
      });
    }
    expect((await stored(id)).verified).toBe(false);
  });

  it('takes verificationCode: null back unchanged before verification, and refuses it after', async () => {
    const id = await create();
    expect((await set({ update: { [id]: { verificationCode: null } } })).updated).toEqual({ [id]: null });
    await set({ update: { [id]: { verificationCode: await verificationCodeOf(id) } } });
    const response = await set({ update: { [id]: { verificationCode: null } } });
    expect(response.notUpdated[id].properties).toEqual(['verificationCode']);
    expect((await stored(id)).verified).toBe(true);
  });

  it('refuses to change url, keys or deviceClientId ("immutable"), naming them, and keeps them', async () => {
    const keys = deviceKeys();
    const id = await create({ keys });
    const response = await set({
      update: { [id]: { url: 'https://push.example/other', keys: deviceKeys(), deviceClientId: 'device-2' } },
    });
    expect(response.notUpdated[id]).toEqual({
      type: 'invalidProperties',
      description: expect.stringContaining('immutable'),
      properties: expect.arrayContaining(['url', 'keys', 'deviceClientId']),
    });
    expect((await set({ update: { [id]: { keys: null } } })).notUpdated[id].properties).toEqual(['keys']);
    expect((await set({ update: { [id]: { 'keys/auth': keys.auth } } })).notUpdated[id].properties).toEqual(['keys']);
    const subscription = await stored(id);
    expect(subscription).toMatchObject({ url: 'https://push.example/endpoint/1', keys, deviceClientId: 'device-1' });
  });

  it('takes immutable properties sent back unchanged (RFC 8620 section 5.3: whole objects may be passed back)', async () => {
    const keys = deviceKeys();
    const id = await create({ keys });
    const response = await set({
      update: {
        [id]: {
          id,
          url: 'https://push.example/endpoint/1',
          keys: { ...keys, auth: `${keys.auth}==` },
          deviceClientId: 'device-1',
        },
      },
    });
    expect(response.updated).toEqual({ [id]: null });
    expect((await set({ update: { [id]: { id: 'Pother' } } })).notUpdated[id].properties).toEqual(['id']);
  });

  it('re-clamps expires, answering the time it set; extending keeps the subscription verified', async () => {
    // "Extending the lifetime does not require the subscription to be verified again."
    const id = await create({ expires: new Date(Date.now() + HOUR).toISOString() });
    await set({ update: { [id]: { verificationCode: await verificationCodeOf(id) } } });
    const far = await set({ update: { [id]: { expires: '2999-01-01T00:00:00Z' } } });
    const granted = parseUtcDate(far.updated[id].expires)!;
    expect(granted).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    expect(granted).toBeGreaterThan(Date.now() + 7 * DAY - 60_000);
    expect(await stored(id)).toMatchObject({ expires: granted, verified: true });
    const asked = new Date(Date.now() + 2 * HOUR).toISOString();
    expect((await set({ update: { [id]: { expires: asked } } })).updated).toEqual({ [id]: null });
    expect((await stored(id)).expires).toBe(Date.parse(asked));
    const defaulted = await set({ update: { [id]: { expires: null } } });
    expect(parseUtcDate(defaulted.updated[id].expires)).toBeGreaterThan(Date.now() + 7 * DAY - 60_000);
  });

  it('refuses an expires in the past or malformed', async () => {
    const id = await create();
    for (const expires of ['2001-01-01T00:00:00Z', 'tomorrow', 0]) {
      expect((await set({ update: { [id]: { expires } } })).notUpdated[id].properties).toEqual(['expires']);
    }
  });

  it('changes types, null for all; refuses unknown ones', async () => {
    const id = await create({ types: ['Email'] });
    await set({ update: { [id]: { types: ['Mailbox', 'Thread'] } } });
    expect((await stored(id)).types).toEqual(['Mailbox', 'Thread']);
    await set({ update: { [id]: { types: null } } });
    expect((await stored(id)).types).toBeNull();
    expect((await set({ update: { [id]: { types: ['Nope'] } } })).notUpdated[id].properties).toEqual(['types']);
    expect((await set({ update: { [id]: { 'types/0': 'Email' } } })).notUpdated[id].type).toBe('invalidPatch');
    expect((await stored(id)).types).toBeNull();
  });

  it('refuses a property PushSubscription does not have', async () => {
    const id = await create();
    expect((await set({ update: { [id]: { colour: 'red' } } })).notUpdated[id].properties).toEqual(['colour']);
  });

  it('applies nothing of an update that has one bad property', async () => {
    const id = await create({ types: ['Email'] });
    const response = await set({ update: { [id]: { types: ['Mailbox'], url: 'https://elsewhere.example/' } } });
    expect(response.notUpdated[id].properties).toEqual(['url']);
    expect((await stored(id)).types).toEqual(['Email']);
  });

  it('answers notFound for an unknown id and for a subscription of another credential, which stays as it is', async () => {
    const bobs = await create({}, callerOf('bob-password', { principal: { id: 'bob', accountIds: ['b'] } }));
    const response = await set({ update: { [bobs]: { types: null }, Punknown: { types: null }, 'not an id': {} } });
    for (const id of [bobs, 'Punknown', 'not an id']) {
      expect(response.notUpdated[id]).toEqual({ type: 'notFound', description: expect.any(String) });
    }
    expect((await stored(bobs)).types).toBeNull();
  });

  it('resolves #creationId to the subscription created in the same call', async () => {
    const response = await set({ create: { new: validCreate() }, update: { '#new': { types: ['Email'] } } });
    const id = response.created.new.id;
    expect(response.updated).toEqual({ [id]: null });
    expect((await stored(id)).types).toEqual(['Email']);
    expect((await set({ update: { '#new': {} } })).notUpdated['#new'].type).toBe('notFound');
  });
});

describe('PushSubscription/set destroy (RFC 8620 section 7.2.2)', () => {
  it("destroys the credential's own subscription and erases its URL and keys from the store", async () => {
    const id = await create();
    expect(await set({ destroy: [id] })).toMatchObject({ destroyed: [id], notDestroyed: null });
    expect(await fixture.store.get(id)).toBeUndefined();
    expect(await fixture.store.nextDueAt()).toBeUndefined();
    expect((await get({})).list).toEqual([]);
  });

  it("answers notFound for an unknown id and for another credential's subscription, which survives", async () => {
    const token = await create({}, callerOf('alice-token'));
    const response = await set({ destroy: [token, 'Punknown', ''] });
    expect(response.destroyed).toBeNull();
    for (const id of [token, 'Punknown', '']) {
      expect(response.notDestroyed[id]).toEqual({ type: 'notFound', description: expect.any(String) });
    }
    expect(await fixture.store.get(token)).toBeDefined();
  });

  it('destroys an id named twice once', async () => {
    const id = await create();
    expect(await set({ destroy: [id, id] })).toMatchObject({ destroyed: [id], notDestroyed: null });
  });

  it('creates, then updates, then destroys: #creationId may be destroyed in the same call', async () => {
    const response = await set({ create: { c: validCreate() }, update: { '#c': { types: null } }, destroy: ['#c'] });
    const id = response.created.c.id;
    expect(response.updated).toEqual({ [id]: null });
    expect(response.destroyed).toEqual([id]);
    expect(await fixture.store.get(id)).toBeUndefined();
  });
});

describe('PushSubscription/get (RFC 8620 section 7.2.1)', () => {
  it('returns every subscription of the credential with ids null, without url and keys, and no state', async () => {
    const a = await create({ types: ['Email'] });
    const b = await create({ keys: null });
    const response = await get({ ids: null });
    expect(Object.keys(response).sort()).toEqual(['list', 'notFound']);
    expect(response.notFound).toEqual([]);
    const list = [...response.list].sort((x: any, y: any) => (x.id < y.id ? -1 : 1));
    const expected = await Promise.all(
      [a, b].sort().map(async (id) => ({
        id,
        deviceClientId: 'device-1',
        verificationCode: null,
        expires: new Date((await stored(id)).expires).toISOString().replace('.000Z', 'Z'),
        types: id === a ? ['Email'] : null,
      })),
    );
    expect(list).toEqual(expected);
    expect(JSON.stringify(response)).not.toMatch(/push\.example|p256dh|auth/);
    expect(await get({})).toEqual(response);
  });

  it('returns the subscriptions asked for, and unknown ids, asked twice or not, once in notFound', async () => {
    const id = await create();
    const response = await get({ ids: [id, 'Punknown', id, 'Punknown', 'bad id'] });
    expect(response.list.map((item: any) => item.id)).toEqual([id]);
    expect(response.notFound).toEqual(['Punknown', 'bad id']);
    expect(await get({ ids: [] })).toEqual({ list: [], notFound: [] });
  });

  it('shows the subscriptions of the calling credential only: two credentials of one user see their own', async () => {
    // "Only subscriptions created by these credentials are returned when the client fetches existing subscriptions."
    const password = callerOf('alice-password');
    const token = callerOf('alice-token');
    const byPassword = await create({}, password);
    const byToken = await create({}, token);
    expect((await get({}, password)).list.map((item: any) => item.id)).toEqual([byPassword]);
    expect((await get({}, token)).list.map((item: any) => item.id)).toEqual([byToken]);
    expect((await get({ ids: [byToken] }, password)).notFound).toEqual([byToken]);
    // The principal's default credential is its credentialId, else its id.
    const viaPrincipal = { principal: { id: 'alice', accountIds: ['a'], credentialId: 'alice-token' } };
    expect((await get({}, viaPrincipal)).list.map((item: any) => item.id)).toEqual([byToken]);
    expect((await get({}, { principal: { id: 'alice', accountIds: ['a'] } })).list).toEqual([]);
  });

  it('returns verificationCode null until the client has set the right one', async () => {
    const id = await create();
    expect((await get({ ids: [id] })).list[0].verificationCode).toBeNull();
    await set({ update: { [id]: { verificationCode: 'wrong' } } });
    expect((await get({ ids: [id] })).list[0].verificationCode).toBeNull();
  });

  it('returns the properties asked for, and id always', async () => {
    const id = await create();
    expect((await get({ ids: [id], properties: ['types'] })).list).toEqual([{ id, types: null }]);
    expect((await get({ ids: [id], properties: [] })).list).toEqual([{ id }]);
    expect((await get({ ids: [id], properties: ['id', 'deviceClientId'] })).list).toEqual([
      { id, deviceClientId: 'device-1' },
    ]);
  });

  it.each([['url'], ['keys']])(
    'refuses properties naming %s with forbidden ("MUST be rejected with a forbidden error")',
    async (property) => {
      await create();
      expect(await fixture.methods.get({ properties: ['id', property] }, alice)).toEqual([
        'error',
        { type: 'forbidden', description: expect.stringContaining('url and keys') },
      ]);
    },
  );

  it('refuses an unknown property with invalidArguments', async () => {
    expect(await fixture.methods.get({ properties: ['id', 'colour'] }, alice)).toEqual([
      'error',
      { type: 'invalidArguments', description: expect.stringContaining('"colour"') },
    ]);
  });

  it('neither returns nor keeps an expired subscription', async () => {
    const id = await create();
    jest.spyOn(Date, 'now').mockReturnValue((await stored(id)).expires + 1);
    expect(await get({ ids: [id] })).toEqual({ list: [], notFound: [id] });
    expect(await fixture.store.get(id)).toBeUndefined();
  });
});

describe('arguments of PushSubscription/get and /set', () => {
  it.each([
    ['get', null],
    ['get', []],
    ['get', 'ids'],
    ['get', { ids: 'Pone' }],
    ['get', { ids: [1] }],
    ['get', { properties: 'id' }],
    ['get', { sinceState: 'x' }],
    ['set', null],
    ['set', { create: [] }],
    ['set', { create: { c: 'not an object' } }],
    ['set', { create: { c: null } }],
    ['set', { update: { Pone: [] } }],
    ['set', { update: 'x' }],
    ['set', { destroy: 'Pone' }],
    ['set', { destroy: [null] }],
    ['set', { onSuccessDestroyOriginal: true }],
  ] as const)('refuses %s %j with invalidArguments', async (method, args) => {
    expect(await fixture.methods[method](args, alice)).toEqual([
      'error',
      { type: 'invalidArguments', description: expect.any(String) },
    ]);
    expect(await fixture.store.listByCredential('alice-password')).toEqual([]);
  });

  it('refuses ifInState: PushSubscription/set "takes no ifInState"', async () => {
    expect(await fixture.methods.set({ ifInState: 'x', create: { c: validCreate() } }, alice)).toEqual([
      'error',
      { type: 'invalidArguments', description: expect.stringContaining('ifInState') },
    ]);
    expect(await fixture.store.listByCredential('alice-password')).toEqual([]);
  });

  it('ignores an accountId: the methods take none, but clients of the standard /get and /set send one', async () => {
    const id = await create();
    expect((await get({ accountId: 'a', ids: null })).list).toHaveLength(1);
    expect((await set({ accountId: 'whatever', destroy: [id] })).destroyed).toEqual([id]);
  });

  it('keeps a creation id or an id such as __proto__ a plain key of the answer', async () => {
    const args = JSON.parse(
      `{"create":{"__proto__":${JSON.stringify(validCreate())}},"update":{"__proto__":{}},"destroy":["__proto__"]}`,
    );
    const response = await set(args);
    expect(Object.getPrototypeOf(response.created)).toBe(Object.prototype);
    expect(Object.keys(response.created)).toEqual(['__proto__']);
    expect(Object.keys(response.notUpdated)).toEqual(['__proto__']);
    expect(Object.keys(response.notDestroyed)).toEqual(['__proto__']);
  });
});

describe('a failing store', () => {
  /** A store whose reads and creates reject, as one whose connection is lost. */
  function brokenStore(): PushSubscriptionStore {
    const store = new InMemoryPushSubscriptionStore();
    const fail = (): Promise<never> => Promise.reject(new Error('connection lost'));
    return Object.assign(store, {
      create: fail,
      listByCredential: fail,
    });
  }

  it('answers serverFail, logs the error without a stack, and never throws', async () => {
    fixture = methodsFixture({}, brokenStore());
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    for (const answer of [
      await fixture.methods.get({}, alice),
      await fixture.methods.set({ create: { c: validCreate() } }, alice),
    ]) {
      expect(answer).toEqual(['error', { type: 'serverFail', description: expect.any(String) }]);
      expect(JSON.stringify(answer)).not.toContain('connection lost');
    }
    expect(errors).toHaveBeenCalledWith('PushSubscription/get failed: connection lost');
    expect(errors).toHaveBeenCalledWith('PushSubscription/set failed: connection lost');
  });

  it('answers serverFail when only the write fails, after which the credential can go on', async () => {
    const store = new InMemoryPushSubscriptionStore();
    fixture = methodsFixture({}, store);
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const create = jest.spyOn(store, 'create').mockRejectedValueOnce(new Error('disk full'));
    expect(await fixture.methods.set({ create: { c: validCreate() } }, alice)).toEqual([
      'error',
      { type: 'serverFail', description: expect.any(String) },
    ]);
    expect(errors).toHaveBeenCalledWith('PushSubscription/set failed: disk full');
    create.mockRestore();
    expect((await set({ create: { c: validCreate() } })).created.c.id).toEqual(expect.any(String));
  });

  it('answers serverFail for a caller that is not one, rather than throwing', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const nobody = undefined as unknown as PushSubscriptionCaller;
    expect((await fixture.methods.set({}, nobody))[1].type).toBe('serverFail');
    expect((await fixture.methods.get({}, nobody))[1].type).toBe('serverFail');
  });
});

describe('PushSubscriptionMethods in Nest', () => {
  it('is built from its tokens: the store, WEB_PUSH_SETTINGS, TypeRegistry, DeliverySignal and PushMetrics', async () => {
    const store = new InMemoryPushSubscriptionStore();
    const moduleRef = await Test.createTestingModule({
      providers: [
        PushSubscriptionMethods,
        TypeRegistry,
        DeliverySignal,
        PushMetrics,
        { provide: PUSH_SETTINGS, useValue: { types: TYPES } },
        { provide: PushSubscriptionStore, useValue: store },
        { provide: WEB_PUSH_SETTINGS, useValue: resolveWebPushSettings({ vapid: fixture.settings.vapid }) },
      ],
    }).compile();
    const methods = moduleRef.get(PushSubscriptionMethods);
    let signalled = 0;
    moduleRef.get(DeliverySignal).onNotify(() => signalled++);
    const [, response] = await methods.set({ create: { c: validCreate({ types: ['EmailDelivery'] }) } }, alice);
    expect(await store.get((response.created as Record<string, { id: string }>).c.id)).toBeDefined();
    expect(signalled).toBe(1);
    await moduleRef.close();
  });
});

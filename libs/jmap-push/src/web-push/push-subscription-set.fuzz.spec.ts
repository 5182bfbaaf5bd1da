import fc from 'fast-check';
import { isJmapId } from './push-subscription-id';
import { readPushKeys } from './push-keys';
import { callerOf, deviceKeys, methodsFixture, TYPES, validCreate } from './push-subscription-methods.fixture';
import { PUSH_SUBSCRIPTION_PROPERTIES } from './push-subscription-properties';

const SET_ERRORS = new Set(['invalidProperties', 'invalidPatch', 'notFound', 'forbidden', 'overQuota', 'rateLimit']);
const METHOD_ERRORS = new Set(['invalidArguments', 'requestTooLarge']);
const RESPONSE_KEYS = ['created', 'destroyed', 'notCreated', 'notDestroyed', 'notUpdated', 'updated'];

const alice = callerOf('alice-password');
const bob = callerOf('bob-password', { principal: { id: 'bob', accountIds: ['b'] } });

const json = fc.jsonValue({ maxDepth: 3 });
const propertyName = fc.oneof(fc.constantFrom(...PUSH_SUBSCRIPTION_PROPERTIES, 'keys/auth', 'types/0'), fc.string());

/** Values a property might be given: plausible ones, near misses and any JSON. */
const propertyValue = fc.oneof(
  json,
  fc.constantFrom(
    null,
    'https://push.example/x',
    'http://push.example/x',
    'https://u:p@push.example/x',
    '2999-01-01T00:00:00Z',
    '2001-01-01T00:00:00Z',
    ['Email'],
    ['Nope'],
    { p256dh: 'AAAA', auth: 'AAAA' },
  ),
  fc.constant(undefined).map(() => deviceKeys()),
);

/** A valid create with some properties replaced, removed or added. */
const mutatedCreate = fc
  .tuple(fc.dictionary(propertyName, propertyValue, { maxKeys: 3 }), fc.subarray(['deviceClientId', 'url', 'keys']))
  .map(([changes, removed]) => {
    const props: Record<string, unknown> = { ...validCreate(), ...changes };
    for (const name of removed) Reflect.deleteProperty(props, name);
    return props;
  });

/** Changes the server takes, on create and update alike. */
const validChanges = fc.record(
  {
    types: fc.oneof(fc.constant(null), fc.subarray([...TYPES])),
    expires: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 1, max: 30 * 24 }).map((hours) => new Date(Date.now() + hours * 3_600_000).toISOString()),
    ),
  },
  { requiredKeys: [] },
);

const createValue = fc.oneof(
  { weight: 3, arbitrary: validChanges.map((changes) => ({ ...validCreate(), ...changes })) },
  { weight: 3, arbitrary: mutatedCreate },
  { weight: 1, arbitrary: json },
);

const createMap = fc.oneof(
  { weight: 1, arbitrary: json },
  {
    weight: 4,
    arbitrary: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('c', '__proto__')), createValue, { maxKeys: 4 }),
  },
);

/** Stand-ins for the ids of a subscription the caller owns and of one it does not; replaced per run. */
const OWN = '$own';
const OTHERS = '$others';

const id = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(OWN, '#c') },
  { weight: 2, arbitrary: fc.constantFrom(OTHERS, 'Punknown', '__proto__', '') },
  { weight: 1, arbitrary: fc.string() },
);
const patch = fc.oneof(
  { weight: 3, arbitrary: validChanges },
  { weight: 1, arbitrary: json },
  { weight: 1, arbitrary: fc.dictionary(propertyName, propertyValue, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constant({ verificationCode: 'wrong' }) },
);
const setArguments = fc.oneof(
  { weight: 1, arbitrary: json },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.record(
          {
            create: createMap,
            update: fc.oneof(json, fc.dictionary(id, patch, { maxKeys: 3 })),
            destroy: fc.oneof(json, fc.array(id, { maxLength: 3 })),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(fc.constantFrom('accountId', 'ifInState', 'other'), json, { maxKeys: 1 }),
      )
      .map(([args, extra]) => ({ ...extra, ...args })),
  },
);

/** `value` with the stand-ins replaced by real ids, in keys and values alike. */
function withIds(value: unknown, ids: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return ids[value] ?? value;
  if (Array.isArray(value)) return value.map((item) => withIds(item, ids));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [ids[key] ?? key, withIds(item, ids)]));
  }
  return value;
}

function expectSetError(value: unknown): void {
  expect(value).toEqual({
    type: expect.any(String),
    description: expect.any(String),
    ...(has(value, 'properties') && { properties: expect.any(Array) }),
  });
  expect(SET_ERRORS.has((value as { type: string }).type)).toBe(true);
}

function has(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && key in value;
}

describe('PushSubscription/set under random arguments (RFC 8620 sections 5.3 and 7.2.2)', () => {
  it('always answers a well-formed /set response or a method error, and stores only valid creates', async () => {
    /** The kinds of answer that came up: the generator must reach every branch, or the test proves little. */
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(setArguments, async (generated) => {
        const fixture = methodsFixture({ maxSubscriptionsPerCredential: 6, maxCreationsPerMinute: 1_000 });
        const ownCreate = await fixture.methods.set({ create: { c: validCreate() } }, alice);
        const otherCreate = await fixture.methods.set({ create: { c: validCreate() } }, bob);
        const own = (ownCreate[1].created as Record<string, { id: string }>).c.id;
        const others = (otherCreate[1].created as Record<string, { id: string }>).c.id;
        const ownBefore = await fixture.store.get(own);
        const othersBefore = await fixture.store.get(others);
        const args = withIds(generated, { [OWN]: own, [OTHERS]: others });

        const [name, response] = await fixture.methods.set(args, alice);

        const stored = await fixture.store.listByCredential('alice-password');
        if (name === 'error') seen.add(`error ${String(response.type)}`);
        else for (const key of RESPONSE_KEYS) if (response[key] !== null) seen.add(key);
        if (name === 'error') {
          expect(Object.keys(response).sort()).toEqual(['description', 'type']);
          expect(METHOD_ERRORS.has(response.type as string)).toBe(true);
          // A refused call changes nothing.
          expect(stored.map((subscription) => subscription.id)).toEqual([own]);
          return;
        }
        expect(name).toBe('PushSubscription/set');
        expect(Object.keys(response).sort()).toEqual(RESPONSE_KEYS);
        const created = (response.created ?? {}) as Record<string, Record<string, unknown>>;
        const destroyed = (response.destroyed ?? []) as string[];
        for (const map of ['created', 'updated', 'notCreated', 'notUpdated', 'notDestroyed']) {
          expect(
            response[map] === null || (typeof response[map] === 'object' && Object.keys(response[map]).length > 0),
          ).toBe(true);
        }
        for (const result of Object.values(created)) {
          expect(isJmapId(result.id)).toBe(true);
          expect(result).not.toHaveProperty('url');
          expect(result.keys === undefined || result.keys === null).toBe(true);
        }
        for (const error of Object.values(response.notCreated ?? {})) expectSetError(error);
        for (const error of Object.values(response.notUpdated ?? {})) expectSetError(error);
        for (const error of Object.values(response.notDestroyed ?? {})) expectSetError(error);
        for (const echo of Object.values(response.updated ?? {})) {
          expect(echo === null || Object.keys(echo as object).every((key) => key === 'expires')).toBe(true);
        }
        expect(destroyed.every((id) => typeof id === 'string')).toBe(true);

        // What is stored is exactly the seeded subscription and the answered creates, less the destroyed.
        const expected = new Set([own, ...Object.values(created).map((result) => result.id as string)]);
        for (const id of destroyed) expected.delete(id);
        expect(new Set(stored.map((subscription) => subscription.id))).toEqual(expected);
        for (const subscription of stored) {
          expect(subscription.url.startsWith('https://')).toBe(true);
          expect(subscription.keys === null || !('invalid' in readPushKeys(subscription.keys))).toBe(true);
          expect(subscription.verified).toBe(false);
          expect(subscription.expires).toBeGreaterThan(Date.now());
        }
        // The other credential's subscription is untouched, and nothing private is in the answer.
        expect(await fixture.store.get(others)).toEqual(othersBefore);
        const text = JSON.stringify(response);
        expect(text).not.toContain('push.example/endpoint');
        expect(text).not.toContain(othersBefore?.verificationCode);
        expect(text).not.toContain(ownBefore?.verificationCode);
      }),
      { numRuns: 300 },
    );
    expect([...seen].sort()).toEqual([...RESPONSE_KEYS, 'error invalidArguments'].sort());
  });
});

describe('PushSubscription/get under random arguments (RFC 8620 section 7.2.1)', () => {
  const readable = new Set(['id', 'deviceClientId', 'verificationCode', 'expires', 'types']);
  const getArguments = fc.oneof(
    json,
    fc.record(
      {
        ids: fc.oneof(json, fc.array(fc.oneof(id, json), { maxLength: 4 })),
        properties: fc.oneof(json, fc.array(fc.oneof(propertyName, json), { maxLength: 4 })),
        accountId: json,
      },
      { requiredKeys: [] },
    ),
  );

  it('always answers list and notFound without url or keys, or invalidArguments or forbidden', async () => {
    const fixture = methodsFixture();
    const ownCreate = await fixture.methods.set({ create: { c: validCreate() } }, alice);
    await fixture.methods.set({ create: { c: validCreate() } }, bob);
    const own = (ownCreate[1].created as Record<string, { id: string }>).c.id;
    await fc.assert(
      fc.asyncProperty(getArguments, async (generated) => {
        const [name, response] = await fixture.methods.get(withIds(generated, { [OWN]: own }), alice);
        if (name === 'error') {
          expect(['invalidArguments', 'forbidden']).toContain(response.type);
          return;
        }
        expect(name).toBe('PushSubscription/get');
        expect(Object.keys(response).sort()).toEqual(['list', 'notFound']);
        for (const item of response.list as Array<Record<string, unknown>>) {
          expect(item.id).toBe(own);
          expect(Object.keys(item).every((key) => readable.has(key))).toBe(true);
        }
        expect(JSON.stringify(response)).not.toContain('push.example');
      }),
      { numRuns: 300 },
    );
  });
});

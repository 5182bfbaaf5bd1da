// Issue 6, point 1: fuzzed requests. Property-based tests over the event-source query, `Authorization`
// and `Last-Event-ID`, with an exact oracle where one exists (the query, credentials) and the set of
// acceptable answers where Node's own HTTP parser may answer first (raw bytes). Every response is a real
// stream or problem details, never a 5xx or a hang, and the server keeps serving afterwards.
import fc from 'fast-check';
import { DEFAULT_PUSH_TYPES } from 'jmap-push';
import { startPushApp, type PushApp } from '../support/push-app';
import { basicAuth } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { KeepAliveClient } from '../support/keep-alive-client';
import { rawExchange, rawGet, type RawResponse } from '../support/raw-http';
import { waitForIdle } from '../support/server-holds';
import { assertWellFormed } from '../support/well-formed';

/** Cases per property and transport; the total over both transports is printed and checked below. */
const RUNS = { query: 2600, authorization: 1500, lastEventId: 700, rawBytes: 800 } as const;
const PATH = '/jmap/eventsource';
const VALID_QUERY = 'types=*&closeafter=no&ping=0';
const BOB = basicAuth('bob@example.com', 'bob-secret');
const BOB_ACCOUNTS = new Set(['acc-bob', 'acc-alice']);
const MAX_URL_LENGTH = 4096;
const KNOWN_TYPES = [...DEFAULT_PUSH_TYPES];

/** What the event source must answer an authenticated request with this query (after `?`). */
type Expected =
  { status: 200 } | { status: 400; parameter: string } | { status: 414 } | { status: 431; or414: boolean };

/** Node's HTTP parser answers 431 itself (no body) once the request head passes its 16 KiB limit. */
const NODE_HEADER_LIMIT = 16 * 1024;

/**
 * The README's contract for the query, as an oracle: each of `types`, `closeafter` (or `closeAfter`) and
 * `ping` exactly once, checked in that order; `types` `*` or known type names (at most 2048 characters),
 * `closeafter` `state` or `no`, `ping` a non-negative integer without sign or leading zero; unknown keys
 * ignored; a URL longer than 4096 characters is a 414.
 */
function expectedFor(query: string): Expected {
  // The head also holds the request line's method and version, Host, Authorization, Connection.
  const length = `${PATH}?${query}`.length;
  if (length > NODE_HEADER_LIMIT - 200) return { status: 431, or414: length <= NODE_HEADER_LIMIT };
  if (`${PATH}?${query}`.length > MAX_URL_LENGTH) return { status: 414 };
  const params = new URLSearchParams(query);
  const values = (name: string) => [
    ...params.getAll(name),
    ...(name === 'closeafter' ? params.getAll('closeAfter') : []),
  ];
  for (const name of ['types', 'closeafter', 'ping']) {
    const given = values(name);
    if (given.length !== 1) return { status: 400, parameter: name };
  }
  const types = values('types')[0];
  if (types.length > 2048 || !/^(\*|[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*)$/.test(types)) {
    return { status: 400, parameter: 'types' };
  }
  if (!['state', 'no'].includes(values('closeafter')[0])) return { status: 400, parameter: 'closeafter' };
  if (!/^(0|[1-9][0-9]{0,8})$/.test(values('ping')[0])) return { status: 400, parameter: 'ping' };
  if (types !== '*' && types.split(',').some((name) => !KNOWN_TYPES.includes(name)))
    return { status: 400, parameter: 'types' };
  return { status: 200 };
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
type Encoding = 'component' | 'every-byte' | 'plus' | 'raw';

/** Puts a string into a query, in one of the ways clients (and attackers) do. Never emits raw `#` or non-ASCII. */
function encode(text: string, how: Encoding): string {
  let out = '';
  for (const char of text) {
    const bytes = Buffer.from(char, 'utf8');
    if (how === 'every-byte') {
      for (const byte of bytes) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else if (how === 'plus' && char === ' ') {
      out += '+';
    } else if (
      UNRESERVED.test(char) ||
      (how === 'raw' && bytes.length === 1 && bytes[0] > 0x20 && bytes[0] < 0x7f && char !== '#')
    ) {
      out += char;
    } else {
      for (const byte of bytes) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

const anyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(
    '',
    '\0',
    ' ',
    '*',
    ',',
    '%',
    '%%',
    '%2',
    '+',
    '&',
    '=',
    '\u0130',
    '\uD800',
    '\uFEFF',
    '１',
    'Ｅmail',
  ),
);
const huge = (unit: string) => fc.integer({ min: 1, max: 900 }).map((n) => unit.repeat(n));
const withNul = (arb: fc.Arbitrary<string>) => arb.map((text) => `${text}\0`);

const validTypes = fc.oneof(
  fc.constantFrom('*', 'Email', 'Email,Mailbox', 'EmailDelivery'),
  fc
    .uniqueArray(fc.constantFrom(...KNOWN_TYPES), { minLength: 1, maxLength: KNOWN_TYPES.length })
    .map((names) => names.join(',')),
);
const typesValue = fc.oneof(
  { weight: 14, arbitrary: validTypes },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom(...KNOWN_TYPES).map((name) => name.toLowerCase()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Email,',
      ',Email',
      'Email,,Mailbox',
      'Email, Mailbox',
      '*,Email',
      'Foo',
      'SearchSnippet',
    ),
  },
  { weight: 1, arbitrary: huge('Email,').map((text) => `${text}Email`) },
  { weight: 1, arbitrary: withNul(validTypes) },
);
const closeafterValue = fc.oneof(
  { weight: 14, arbitrary: fc.constantFrom('state', 'no') },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom('State', 'NO', 'yes', 'state ', ' no', 'no\0', 'ｎｏ') },
  { weight: 1, arbitrary: huge('no') },
);
const pingValue = fc.oneof(
  { weight: 14, arbitrary: fc.oneof(fc.constant('0'), fc.integer({ min: 1, max: 999_999_999 }).map(String)) },
  { weight: 2, arbitrary: anyText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '-1',
      '+5',
      '05',
      '1e3',
      '0x10',
      '1.5',
      '1000000000',
      '9'.repeat(40),
      ' 30',
      '30\0',
      'NaN',
      'Infinity',
      '٣٠',
    ),
  },
  { weight: 1, arbitrary: huge('9') },
);
const unknownKey = fc.oneof(
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.constantFrom(
    'Types',
    'PING',
    'closeAFTER',
    '__proto__',
    'constructor',
    'toString',
    'types[]',
    'types[0]',
    'ping.x',
    '',
    '\0',
  ),
);
const unknownValue = fc.oneof(anyText, huge('z'));

/** How many times a parameter appears: mostly once, sometimes missing or repeated. */
const occurrences = fc.oneof(
  { weight: 12, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) },
);

const queryArb = fc
  .record({
    types: fc.tuple(occurrences, fc.array(typesValue, { minLength: 3, maxLength: 3 })),
    closeafter: fc.tuple(occurrences, fc.array(closeafterValue, { minLength: 3, maxLength: 3 }), fc.boolean()),
    ping: fc.tuple(occurrences, fc.array(pingValue, { minLength: 3, maxLength: 3 })),
    unknown: fc.array(fc.tuple(unknownKey, unknownValue), { maxLength: 3 }),
    encodings: fc.array(fc.constantFrom<Encoding>('component', 'every-byte', 'plus', 'raw'), {
      minLength: 12,
      maxLength: 12,
    }),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  })
  .map(({ types, closeafter, ping, unknown, encodings, order }) => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < types[0]; i++) pairs.push(['types', types[1][i]]);
    for (let i = 0; i < closeafter[0]; i++)
      pairs.push([closeafter[2] && i === 0 ? 'closeAfter' : 'closeafter', closeafter[1][i]]);
    for (let i = 0; i < ping[0]; i++) pairs.push(['ping', ping[1][i]]);
    pairs.push(...unknown);
    const shuffled = pairs.map((pair, i) => ({ pair, key: order[i] ?? i })).sort((a, b) => a.key - b.key);
    return shuffled
      .map(({ pair: [key, value] }, i) => `${encode(key, encodings[i])}=${encode(value, encodings[i])}`)
      .join('&');
  });

/** Authorization values: most garbage (401), some valid credentials in legal disguises (200). */
const latin1Header = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');
const authorizationArb: fc.Arbitrary<{ value: string; valid: boolean }> = fc.oneof(
  // Garbage base64 (wrong alphabet, wrong padding, truncated).
  fc
    .string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.!'.split('')),
      maxLength: 40,
    })
    .map((s) => ({ value: `Basic ${s}`, valid: false })),
  fc
    .constant(b64('bob@example.com:bob-secret'))
    .chain((good) =>
      fc
        .integer({ min: 1, max: good.length - 1 })
        .map((cut) => ({ value: `Basic ${good.slice(0, cut)}`, valid: false })),
    ),
  // Valid base64 of things that are not user:password.
  fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ value: `Basic ${b64(bytes)}`, valid: false })),
  fc
    .string({ maxLength: 30 })
    .filter((s) => !s.includes(':'))
    .map((s) => ({ value: `Basic ${b64(s)}`, valid: false })),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(0x80, 0xc3, 0xff, 0xfe, 0xed))
    .map(([bytes, bad]) => ({
      value: `Basic ${b64(Buffer.concat([Buffer.from('bob@example.com:'), Buffer.from(bytes), Buffer.from([bad])]))}`,
      valid: false,
    })),
  fc.tuple(fc.constantFrom('\0', '\n', '\r', '\t', '\x7f', '\x1b'), fc.boolean()).map(([control, inUser]) => ({
    value: `Basic ${b64(inUser ? `bob@example.com${control}:bob-secret` : `bob@example.com:bob-secret${control}`)}`,
    valid: false,
  })),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
    .map(([user, password]) => ({ value: basicAuth(user, password), valid: false })),
  // Huge (Node answers 431 itself beyond 16 KiB of headers).
  fc
    .integer({ min: 3000, max: 14_000 })
    .map((n) => ({ value: basicAuth('bob@example.com', `bob-secret${'x'.repeat(n)}`), valid: false })),
  fc.integer({ min: 4000, max: 15_000 }).map((n) => ({ value: `Basic ${'A'.repeat(n)}`, valid: false })),
  // Other schemes, and no scheme.
  fc
    .tuple(
      fc.constantFrom(
        'Digest',
        'Negotiate',
        'NTLM',
        'Bearer',
        'Token',
        'AWS4-HMAC-SHA256',
        'Basic,',
        'Basic:',
        'Basicc',
        'Bearer',
      ),
      latin1Header,
    )
    .map(([scheme, rest]) => ({
      value: `${scheme} ${rest}`,
      valid: false,
    })),
  fc
    .constantFrom(
      'Basic',
      'Basic ',
      'bob@example.com:bob-secret',
      b64('bob@example.com:bob-secret'),
      BOB.replace(' ', ''),
    )
    .map((value) => ({ value, valid: false })),
  latin1Header.map((value) => ({ value, valid: false })),
  // Valid credentials: the scheme in any case, extra blanks around the value.
  fc
    .tuple(
      fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc'),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([scheme, gap, tail]) => ({
      value: `${scheme}${' '.repeat(gap)}${b64('bob@example.com:bob-secret')}${' '.repeat(tail)}`,
      valid: true,
    })),
  fc.constantFrom<{ value: string; valid: boolean }>(
    { value: basicAuth('alice@example.com', 'alice-secret'), valid: true },
    { value: BOB, valid: true },
  ),
);

const lastEventIdArb = (ids: () => string[]) =>
  fc.oneof(
    fc.constant(null).map(() => ids()[0]),
    fc.nat().map((n) => ids()[n % ids().length]),
    fc.tuple(fc.nat({ max: 99_999_999 }), fc.nat({ max: 99_999 })).map(([ms, seq]) => `${ms}-${seq}`),
    fc.constantFrom(
      '0-0',
      '-1',
      '1-',
      '-',
      '0',
      '99999999999999999999-1',
      '1-99999999999999999999',
      '\u00b9\u00b2-\u00b3',
      'é-1',
      '1_2',
      '1.5-2',
      '1e3-1',
      ' 1-1',
      'null',
      'undefined',
    ),
    latin1Header,
    fc.integer({ min: 60, max: 12_000 }).map((n) => '9'.repeat(n)),
    fc.integer({ min: 30, max: 3000 }).map((n) => `${'1'.repeat(n)}-${'2'.repeat(n)}`),
  );

/** Bytes for the raw-socket property: anything, including NUL, CR, LF and invalid UTF-8. */
const nastyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from([0]),
    Buffer.from('\r'),
    Buffer.from('\n'),
    Buffer.from('\r\n'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from([0xc3]),
    Buffer.from(' '),
    Buffer.from('#frag'),
    Buffer.from('%00'),
    Buffer.from('\t'),
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => Buffer.alloc(n, 0x61)),
);

describe.each(TRANSPORTS)('fuzzed requests (%s transport)', (transport) => {
  let push: PushApp;
  let client: KeepAliveClient;
  let port: number;
  const ids: string[] = [];

  beforeAll(async () => {
    // Streams are closed before the next case, but their close reaches the server a moment later.
    push = await startPushApp({ transport, maxStreamsPerPrincipal: 10_000 });
    port = Number(new URL(push.baseUrl).port);
    client = new KeepAliveClient(port);
    for (let i = 0; i < 5; i++)
      ids.push(await push.stateChanges.publish(i % 2 ? 'acc-bob' : 'acc-carol', { Email: `e${i}`, Mailbox: `m${i}` }));
  });

  afterAll(async () => {
    client.close();
    await push.close();
  });

  /** A valid request still gets a stream, and once the fuzz's streams are gone the server holds nothing. */
  async function expectServerServing(): Promise<void> {
    const response = await client.get(`${PATH}?${VALID_QUERY}`, { Authorization: BOB });
    expect(response.status).toBe(200);
    expect(response.stream).toBe(true);
    await waitForIdle(push);
  }

  it(`answers every fuzzed query exactly as the contract says (${RUNS.query} cases)`, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(queryArb, async (query) => {
        const expected = expectedFor(query);
        const response = await client.get(`${PATH}?${query}`, { Authorization: BOB });
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        assertWellFormed(response, expected.status === 431);
        if (expected.status === 431 && expected.or414 && response.status === 414) return;
        if (response.status !== expected.status) {
          throw new Error(
            `expected ${expected.status}, got ${response.status} ${response.body.slice(0, 200)} for ?${query.slice(0, 300)}`,
          );
        }
        if (expected.status === 400) expect(JSON.parse(response.body)).toMatchObject({ parameter: expected.parameter });
      }),
      { numRuns: RUNS.query },
    );
    // The generators must exercise every outcome, or the property proves little.
    expect(seen.get(200)).toBeGreaterThan(RUNS.query / 20);
    expect(seen.get(400)).toBeGreaterThan(RUNS.query / 10);
    expect(seen.get(414)).toBeGreaterThan(0);
    await expectServerServing();
  }, 60_000);

  it(`answers every fuzzed Authorization with 401 unless it carries valid credentials (${RUNS.authorization} cases)`, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(authorizationArb, async ({ value, valid }) => {
        const response = await client.get(`${PATH}?${VALID_QUERY}`, { Authorization: value });
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        assertWellFormed(response, true);
        const tooBig = Buffer.byteLength(value, 'latin1') > 14_000;
        if (response.status === 431 && tooBig) return;
        if (response.status !== (valid ? 200 : 401)) {
          throw new Error(
            `expected ${valid ? 200 : 401}, got ${response.status} for Authorization ${JSON.stringify(value.slice(0, 200))}`,
          );
        }
      }),
      { numRuns: RUNS.authorization },
    );
    expect(seen.get(200)).toBeGreaterThan(0);
    expect(seen.get(401)).toBeGreaterThan(RUNS.authorization / 2);
    await expectServerServing();
  }, 60_000);

  it(`opens a stream whatever the Last-Event-ID, replaying only the principal's accounts (${RUNS.lastEventId} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        lastEventIdArb(() => ids),
        fc.boolean(),
        async (lastEventId, publishFirst) => {
          if (publishFirst)
            ids.unshift(
              await push.stateChanges.publish(ids.length % 3 ? 'acc-bob' : 'acc-carol', { Email: `e${ids.length}` }),
            );
          const response = await client.get(`${PATH}?types=Email,Mailbox&closeafter=no&ping=0`, {
            Authorization: BOB,
            'Last-Event-ID': lastEventId,
          });
          assertWellFormed(response, true);
          if (response.status === 431 && lastEventId.length > 14_000) return;
          expect(response.status).toBe(200);
          const data = /\ndata: (.*)\n/.exec(response.body)?.[1];
          if (data !== undefined) {
            const change = JSON.parse(data) as { changed: Record<string, Record<string, string>> };
            for (const [accountId, states] of Object.entries(change.changed)) {
              expect(BOB_ACCOUNTS.has(accountId)).toBe(true);
              for (const type of Object.keys(states)) expect(['Email', 'Mailbox']).toContain(type);
            }
          }
        },
      ),
      { numRuns: RUNS.lastEventId },
    );
    await expectServerServing();
  }, 60_000);

  it(`survives raw bytes (NUL, CR, LF, non-UTF-8, huge) in the target and headers (${RUNS.rawBytes} cases)`, async () => {
    const where = fc.constantFrom('query', 'authorization', 'last-event-id', 'header-name');
    await fc.assert(
      fc.asyncProperty(where, nastyBytes, fc.nat({ max: 100 }), async (place, bytes, at) => {
        const query = Buffer.from(VALID_QUERY);
        const cut = at % (query.length + 1);
        const target =
          place === 'query'
            ? Buffer.concat([Buffer.from(`${PATH}?`), query.subarray(0, cut), bytes, query.subarray(cut)])
            : `${PATH}?${VALID_QUERY}`;
        const headers: Array<[string, string | Buffer]> = [
          ['Authorization', place === 'authorization' ? Buffer.concat([Buffer.from('Basic '), bytes]) : BOB],
        ];
        if (place === 'last-event-id') headers.push(['Last-Event-ID', bytes]);
        if (place === 'header-name') headers.push([`X-${bytes.toString('latin1')}`, 'v']);
        let response: RawResponse;
        try {
          response = await rawExchange(port, rawGet(target, headers));
        } catch (error) {
          throw new Error(
            `${place} ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}: ${(error as Error).message}`,
          );
        }
        assertWellFormed(response, true);
      }),
      { numRuns: RUNS.rawBytes },
    );
    await expectServerServing();
  }, 60_000);
});

it('runs at least 10,000 fuzzed cases in total', () => {
  const perTransport = Object.values(RUNS).reduce((sum, n) => sum + n, 0);
  expect(perTransport * TRANSPORTS.length).toBeGreaterThanOrEqual(10_000);
});

// Issue 2, point 2 (auth), and James's shouldRejectUnauthenticated.
import type { Authenticator, Principal } from 'jmap-push';
import { basicAuth } from '../support/sse-client';
import { AUTH, expectProblem, stateOf, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';

const CHALLENGE = 'Basic realm="JMAP", charset="UTF-8"';
const QUERY = 'types=*&closeafter=no&ping=0';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe.each(TRANSPORTS)('authentication (%s transport)', (transport) => {
  const fx = usePushApp(transport);

  const expect401 = async (headers: Record<string, string>, query = QUERY) => {
    const stream = await fx.open(query, headers);
    const problem = await expectProblem(stream, 401);
    expect(stream.headers['www-authenticate']).toBe(CHALLENGE);
    expect(problem).toMatchObject({
      type: 'about:blank',
      status: 401,
      title: 'Unauthorized',
    });
  };

  it.each<[string, Record<string, string>]>([
    ['no Authorization header (shouldRejectUnauthenticated)', {}],
    ['an empty Authorization header', { Authorization: '' }],
    ['"Basic" with no credentials', { Authorization: 'Basic' }],
    ['"Basic " and blanks', { Authorization: 'Basic    ' }],
    ['malformed base64', { Authorization: 'Basic !!!not-base64!!!' }],
    [
      'base64 without padding of a valid pair',
      {
        Authorization: `Basic ${b64('bob@example.com:bob-secret').replace(/=+$/, '')}x`,
      },
    ],
    ['decoded credentials with no colon', { Authorization: `Basic ${b64('bob@example.com')}` }],
    ['an empty user name', { Authorization: `Basic ${b64(':bob-secret')}` }],
    [
      'bytes that are not UTF-8',
      {
        Authorization: `Basic ${Buffer.from([0x62, 0xff, 0x3a, 0x78]).toString('base64')}`,
      },
    ],
    ['a control character', { Authorization: `Basic ${b64('bob@example.com:bob\nsecret')}` }],
    ['a wrong password', { Authorization: basicAuth('bob@example.com', 'wrong') }],
    ['a password that is a prefix of the right one', { Authorization: basicAuth('bob@example.com', 'bob-secre') }],
    ['an unknown user', { Authorization: basicAuth('mallory@example.com', 'bob-secret') }],
    ['a user name that is an Object.prototype key', { Authorization: basicAuth('constructor', 'x') }],
    ['an unknown scheme', { Authorization: 'Digest username="bob@example.com"' }],
    ['Bearer, which this authenticator does not verify', { Authorization: 'Bearer abc.def' }],
    ['a huge header', { Authorization: `Basic ${b64(`bob@example.com:${'x'.repeat(6000)}`)}` }],
  ])('401 with a Basic challenge for %s', async (_name, headers) => {
    await expect401(headers);
  });

  it('accepts a scheme name in any case (RFC 7235: schemes are case-insensitive)', async () => {
    const { hello } = await fx.connect('bob', QUERY, {
      Authorization: AUTH.bob.Authorization.replace('Basic', 'bAsIc'),
    });
    expect(hello.id).toBeDefined();
  });

  it('answers 401 before 400: credentials are checked before the query', async () => {
    await expect401({}, 'types=bad&closeafter=maybe');
    // With credentials, the same query is a 400.
    await expectProblem(await fx.open('types=bad&closeafter=maybe', AUTH.bob), 400);
  });

  it('counts 401s as unauthorized rejections', async () => {
    const before = fx.push.metrics.snapshot().rejections.unauthorized;
    await (
      await fx.open(QUERY, {})
    ).body;
    await (
      await fx.open(QUERY, {
        Authorization: basicAuth('bob@example.com', 'nope'),
      })
    ).body;
    expect(fx.push.metrics.snapshot().rejections.unauthorized).toBe(before + 2);
  });
});

describe.each(TRANSPORTS)('authenticator failures and options (%s transport)', (transport) => {
  let authenticator: Authenticator;
  const fx = usePushApp(
    transport,
    () => ({
      realm: 'Mail Example',
      authenticationTimeoutMs: 100,
      retryAfterSeconds: 7,
      authenticator: {
        authenticateBasic: (u, p) => authenticator.authenticateBasic(u, p),
      },
    }),
    'each',
  );

  it('answers 503 with Retry-After when the authenticator throws', async () => {
    authenticator = {
      authenticateBasic: () => {
        throw new Error('LDAP down: secret internals');
      },
    };
    const stream = await fx.open(QUERY, AUTH.bob);
    const problem = await expectProblem(stream, 503);
    expect(stream.headers['retry-after']).toBe('7');
    expect(JSON.stringify(problem)).not.toContain('LDAP');
    expect(fx.push.metrics.snapshot().rejections.unavailable).toBe(1);
  });

  it('answers 503 when the authenticator rejects', async () => {
    authenticator = {
      authenticateBasic: () => Promise.reject(new Error('timeout')),
    };
    const stream = await fx.open(QUERY, AUTH.bob);
    await expectProblem(stream, 503);
    expect(stream.headers['retry-after']).toBe('7');
  });

  it('answers 503 when the authenticator hangs past authenticationTimeoutMs', async () => {
    authenticator = {
      authenticateBasic: () => new Promise<Principal | null>(() => undefined),
    };
    const stream = await fx.open(QUERY, AUTH.bob);
    await expectProblem(stream, 503);
  });

  it('treats a malformed principal as a refusal (401), not a 500', async () => {
    authenticator = {
      authenticateBasic: () => ({ id: 'x', accountIds: 'acc-bob' }) as unknown as Principal,
    };
    const stream = await fx.open(QUERY, AUTH.bob);
    await expectProblem(stream, 401);
    expect(stream.headers['www-authenticate']).toBe('Basic realm="Mail Example", charset="UTF-8"');
  });

  it('hands the authenticator the decoded UTF-8 user name and a password containing colons', async () => {
    const seen: string[] = [];
    authenticator = {
      authenticateBasic: (username, password) => {
        seen.push(username, password);
        return { id: username, accountIds: ['acc-bob'] };
      },
    };
    const { hello } = await fx.connect('bob', QUERY, {
      Authorization: basicAuth('jürgen@exämple.com', 'a:b:ç'),
    });
    expect(hello.id).toBeDefined();
    expect(seen).toEqual(['jürgen@exämple.com', 'a:b:ç']);
  });
});

describe.each(TRANSPORTS)('Bearer tokens, when the authenticator verifies them (%s transport)', (transport) => {
  const fx = usePushApp(transport, {
    authenticator: {
      authenticateBasic: () => null,
      authenticateBearer: (token) => (token === 'tok-bob' ? { id: 'bob', accountIds: ['acc-bob'] } : null),
    },
  });

  it('streams for a valid token', async () => {
    const { stream } = await fx.connect('bob', QUERY, {
      Authorization: 'Bearer tok-bob',
    });
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(stateOf(await stream.nextEvent('state')).changed).toEqual({
      'acc-bob': { Email: 'e1' },
    });
  });

  it('answers 401 with both challenges for a wrong token', async () => {
    const stream = await fx.open(QUERY, { Authorization: 'Bearer nope' });
    await expectProblem(stream, 401);
    const challenges = ([] as string[]).concat(stream.headers['www-authenticate'] ?? []).join(', ');
    expect(challenges).toContain(CHALLENGE);
    expect(challenges).toContain('Bearer realm="JMAP"');
  });
});

import { ConfigError, loadServerConfig } from './server-config';

describe('loadServerConfig', () => {
  it('defaults to the demo users, port 8080 on 127.0.0.1, LMTP 2424', () => {
    const config = loadServerConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, lmtpPort: 2424, publicUrl: null, shares: [] });
    expect(config.users.map((user) => user.username)).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('reads users (passwords may hold colons), shares, and LMTP_PORT=0 as off', () => {
    const config = loadServerConfig({
      JMAP_USERS: 'a@x.org:p:w, B@x.org:q',
      JMAP_SHARES: 'b@x.org>a@x.org',
      LMTP_PORT: '0',
      PORT: '9000',
      PUBLIC_URL: 'https://mail.x.org/',
    });
    expect(config.users).toEqual([
      { username: 'a@x.org', password: 'p:w' },
      { username: 'b@x.org', password: 'q' },
    ]);
    expect(config.shares).toEqual([{ owner: 'b@x.org', grantee: 'a@x.org' }]);
    expect(config.lmtpPort).toBeNull();
    expect(config.port).toBe(9000);
    expect(config.publicUrl).toBe('https://mail.x.org');
  });

  it.each([
    [{ JMAP_USERS: 'nopassword' }],
    [{ JMAP_USERS: 'a:1,a:2' }],
    [{ JMAP_SHARES: 'alice@example.com>nobody@example.com' }],
    [{ JMAP_SHARES: 'alice@example.com' }],
    [{ PORT: 'eighty' }],
    [{ PUBLIC_URL: 'ftp://x' }],
  ])('refuses %j', (env) => {
    expect(() => loadServerConfig(env)).toThrow(ConfigError);
  });
});

describe('JMAP_TOKENS', () => {
  it('defaults to the demo tokens with the demo users, and to none with users of your own', () => {
    expect(loadServerConfig({}).tokens).toEqual([
      { username: 'alice@example.com', token: 'alice-token' },
      { username: 'bob@example.com', token: 'bob-token' },
    ]);
    expect(loadServerConfig({ JMAP_USERS: 'a@x.org:pa' }).tokens).toEqual([]);
  });

  it('reads several tokens per user, user names in any case', () => {
    const config = loadServerConfig({ JMAP_USERS: 'a@x.org:pa', JMAP_TOKENS: ' A@x.org:t1 , a@x.org:t2~._+/=' });
    expect(config.tokens).toEqual([
      { username: 'a@x.org', token: 't1' },
      { username: 'a@x.org', token: 't2~._+/=' },
    ]);
  });

  it.each([
    ['alice@example.com', 'must be name:token'],
    ['alice@example.com:', 'must be name:token'],
    ['nobody@example.com:t', 'unknown user "nobody@example.com"'],
    ['alice@example.com:has space', 'characters a Bearer token cannot carry'],
    ['alice@example.com:t,bob@example.com:t', 'the same token twice'],
  ])('refuses %j', (tokens, message) => {
    expect(() => loadServerConfig({ JMAP_TOKENS: tokens })).toThrow(message);
  });
});

describe('CORS_ORIGINS', () => {
  it('reads origins, normalised as browsers send them', () => {
    expect(loadServerConfig({}).corsOrigins).toEqual([]);
    expect(loadServerConfig({ CORS_ORIGINS: 'https://App.Example.org/, http://localhost:5173' }).corsOrigins).toEqual([
      'https://app.example.org',
      'http://localhost:5173',
    ]);
  });

  it.each(['*', 'null', 'app.example.org', 'https://app.example.org/path', 'ftp://x.org', 'https://u:p@x.org'])(
    'refuses %j',
    (origin) => {
      expect(() => loadServerConfig({ CORS_ORIGINS: origin })).toThrow(/CORS_ORIGINS entry/);
    },
  );
});

describe('PUSH_TRANSPORT and the stream limits', () => {
  it('defaults to the sse transport and the module defaults', () => {
    expect(loadServerConfig({}).pushStreams).toEqual({ transport: 'sse' });
  });

  it('reads every variable', () => {
    const config = loadServerConfig({
      PUSH_TRANSPORT: 'direct',
      PUSH_MAX_STREAMS_PER_PRINCIPAL: '4',
      PUSH_MAX_STREAMS: '50000',
      PUSH_PING_MIN: '30',
      PUSH_PING_MAX: '600',
    });
    expect(config.pushStreams).toEqual({
      transport: 'direct',
      maxStreamsPerPrincipal: 4,
      maxStreams: 50000,
      ping: { min: 30, max: 600 },
    });
  });

  it.each([
    [{ PUSH_TRANSPORT: 'websocket' }, 'PUSH_TRANSPORT must be "sse" or "direct", got "websocket"'],
    [{ PUSH_MAX_STREAMS_PER_PRINCIPAL: '0' }, 'PUSH_MAX_STREAMS_PER_PRINCIPAL must be a positive integer, got "0"'],
    [{ PUSH_MAX_STREAMS: '1.5' }, 'PUSH_MAX_STREAMS must be a positive integer, got "1.5"'],
    [{ PUSH_MAX_STREAMS: '-3' }, 'PUSH_MAX_STREAMS must be a positive integer'],
    [{ PUSH_PING_MIN: '31' }, 'PUSH_PING_MIN must be an integer of seconds from 1 to 30 (RFC 8620 section 7.3)'],
    [{ PUSH_PING_MIN: '0' }, 'PUSH_PING_MIN must be an integer of seconds from 1 to 30'],
    [{ PUSH_PING_MAX: '299' }, 'PUSH_PING_MAX must be an integer of seconds from 300 to 86400 (RFC 8620 section 7.3)'],
    [{ PUSH_PING_MAX: 'ten' }, 'PUSH_PING_MAX must be an integer of seconds'],
  ])('refuses %j with a clear message', (env, message) => {
    expect(() => loadServerConfig(env)).toThrow(new ConfigError(message).message);
  });
});

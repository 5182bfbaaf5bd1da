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

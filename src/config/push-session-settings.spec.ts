import { pushSessionSettings } from './push-session-settings';
import { ConfigError, loadServerConfig } from './server-config';

const SECRET = 'a-production-secret-of-32-chars!';

describe('browser push sessions in the server config', () => {
  it('takes PUSH_SESSION_SECRET as the key, as given', () => {
    const config = loadServerConfig({ PUSH_SESSION_SECRET: SECRET });
    expect(config.pushSessionSecret).toBe(SECRET);
    expect(pushSessionSettings(config)).toEqual({ secret: SECRET, derived: false, secure: false });
  });

  it.each(['short', 'x'.repeat(31)])('refuses a PUSH_SESSION_SECRET shorter than 32 characters (%j)', (secret) => {
    expect(() => loadServerConfig({ PUSH_SESSION_SECRET: secret })).toThrow(
      new ConfigError('PUSH_SESSION_SECRET must be at least 32 characters'),
    );
  });

  it.each([undefined, '', '   '])('derives a development key when PUSH_SESSION_SECRET is %j', (secret) => {
    const config = loadServerConfig({ PUSH_SESSION_SECRET: secret });
    expect(config.pushSessionSecret).toBeNull();
    const settings = pushSessionSettings(config);
    expect(settings.derived).toBe(true);
    expect(settings.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('derives the same key on every boot with the same configuration, so a restart keeps browsers signed in', () => {
    const env = { JMAP_USERS: 'a@x.org:pa,b@x.org:pb', JMAP_TOKENS: 'a@x.org:ta', JMAP_SHARES: 'a@x.org>b@x.org' };
    expect(pushSessionSettings(loadServerConfig(env)).secret).toBe(
      pushSessionSettings(loadServerConfig({ ...env })).secret,
    );
    // Ports are not part of it.
    expect(pushSessionSettings(loadServerConfig({ ...env, PORT: '1' })).secret).toBe(
      pushSessionSettings(loadServerConfig(env)).secret,
    );
  });

  it('derives another key when a share or a token changes, so old cookies cannot keep a revoked grant', () => {
    const key = (env: NodeJS.ProcessEnv) =>
      pushSessionSettings(loadServerConfig({ JMAP_USERS: 'a@x.org:pa,b@x.org:pb', ...env })).secret;
    const base = key({ JMAP_SHARES: 'a@x.org>b@x.org', JMAP_TOKENS: 'a@x.org:ta' });
    expect(key({ JMAP_TOKENS: 'a@x.org:ta' })).not.toBe(base);
    expect(key({ JMAP_SHARES: 'b@x.org>a@x.org', JMAP_TOKENS: 'a@x.org:ta' })).not.toBe(base);
    expect(key({ JMAP_SHARES: 'a@x.org>b@x.org' })).not.toBe(base);
    expect(key({ JMAP_SHARES: 'a@x.org>b@x.org', JMAP_TOKENS: 'a@x.org:tb' })).not.toBe(base);
  });

  it('derives another key when a user or a password changes, which signs every browser out', () => {
    const key = (users: string) => pushSessionSettings(loadServerConfig({ JMAP_USERS: users })).secret;
    const base = key('a@x.org:pa,b@x.org:pb');
    expect(key('a@x.org:pa,b@x.org:changed')).not.toBe(base);
    expect(key('a@x.org:pa')).not.toBe(base);
    expect(key('a@x.org:pa,c@x.org:pb')).not.toBe(base);
    // Not a plain function of the names: the passwords are in it.
    expect(key('a@x.org:pb,b@x.org:pa')).not.toBe(base);
  });

  it('never uses the passwords themselves, or the demo key, as the key', () => {
    const settings = pushSessionSettings(
      loadServerConfig({ JMAP_USERS: 'a@x.org:a-password-of-more-than-32-characters' }),
    );
    expect(settings.secret).not.toContain('a-password');
    expect(settings.secret).not.toBe(pushSessionSettings(loadServerConfig({})).secret);
  });

  it.each([
    [undefined, false],
    ['http://mail.x.org', false],
    ['http://127.0.0.1:8080', false],
    ['https://mail.x.org', true],
    ['HTTPS://MAIL.X.ORG/', true],
  ])('sends the cookie over TLS only when PUBLIC_URL is https (%j: secure %j)', (publicUrl, secure) => {
    expect(pushSessionSettings(loadServerConfig({ PUBLIC_URL: publicUrl })).secure).toBe(secure);
  });
});

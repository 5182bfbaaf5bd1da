import { generateVAPIDKeys } from 'web-push';
import { ConfigError, loadServerConfig } from './server-config';

const KEYS = generateVAPIDKeys();
const OTHER = generateVAPIDKeys();

describe('Web Push in the server config', () => {
  it('defaults to keys generated at boot, the postmaster of the first user’s domain, and no internal hosts', () => {
    expect(loadServerConfig({}).webPush).toEqual({
      vapid: null,
      subject: 'mailto:postmaster@example.com',
      allowHosts: [],
    });
    expect(loadServerConfig({ JMAP_USERS: 'admin:pw,b@mail.x.org:pb' }).webPush.subject).toBe(
      'mailto:postmaster@mail.x.org',
    );
  });

  it('reads every variable', () => {
    const config = loadServerConfig({
      WEB_PUSH_VAPID_PUBLIC_KEY: ` ${KEYS.publicKey} `,
      WEB_PUSH_VAPID_PRIVATE_KEY: KEYS.privateKey,
      WEB_PUSH_SUBJECT: 'https://mail.x.org/contact',
      WEB_PUSH_ALLOW_HOSTS: ' Relay.Internal ,127.0.0.1, ::1,[::2],relay.internal',
      WEB_PUSH_MAX_SUBSCRIPTIONS: '4',
    });
    expect(config.webPush).toEqual({
      vapid: { publicKey: KEYS.publicKey, privateKey: KEYS.privateKey },
      subject: 'https://mail.x.org/contact',
      allowHosts: ['relay.internal', '127.0.0.1', '[::1]', '[::2]'],
      maxSubscriptionsPerCredential: 4,
    });
  });

  it('takes a mailto: subject as given', () => {
    expect(loadServerConfig({ WEB_PUSH_SUBJECT: 'mailto:ops@x.org' }).webPush.subject).toBe('mailto:ops@x.org');
  });

  it.each([
    [{ WEB_PUSH_VAPID_PUBLIC_KEY: KEYS.publicKey }, 'go together: set both'],
    [{ WEB_PUSH_VAPID_PRIVATE_KEY: KEYS.privateKey }, 'go together: set both'],
    [
      { WEB_PUSH_VAPID_PUBLIC_KEY: KEYS.privateKey, WEB_PUSH_VAPID_PRIVATE_KEY: KEYS.publicKey },
      'WEB_PUSH_VAPID_PUBLIC_KEY must be an uncompressed P-256 public key',
    ],
    [
      { WEB_PUSH_VAPID_PUBLIC_KEY: `${KEYS.publicKey}!`, WEB_PUSH_VAPID_PRIVATE_KEY: KEYS.privateKey },
      'WEB_PUSH_VAPID_PUBLIC_KEY must be base64url',
    ],
    [
      { WEB_PUSH_VAPID_PUBLIC_KEY: KEYS.publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: KEYS.privateKey.slice(4) },
      'WEB_PUSH_VAPID_PRIVATE_KEY must be a P-256 private key (32 octets, base64url)',
    ],
    [
      { WEB_PUSH_VAPID_PUBLIC_KEY: KEYS.publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: Buffer.alloc(32).toString('base64url') },
      'WEB_PUSH_VAPID_PRIVATE_KEY is not a valid P-256 private key',
    ],
    // Two valid keys that are not one pair: the Session would advertise a key no push is signed with.
    [
      { WEB_PUSH_VAPID_PUBLIC_KEY: KEYS.publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: OTHER.privateKey },
      'WEB_PUSH_VAPID_PUBLIC_KEY is not the public key of WEB_PUSH_VAPID_PRIVATE_KEY',
    ],
    // RFC 8292 section 2.1: the contact is a mailto: or an https: URI.
    [{ WEB_PUSH_SUBJECT: 'ops@x.org' }, 'WEB_PUSH_SUBJECT must be a mailto: address or an https: URL'],
    [{ WEB_PUSH_SUBJECT: 'http://x.org' }, 'WEB_PUSH_SUBJECT must be a mailto: address or an https: URL'],
    [{ WEB_PUSH_SUBJECT: 'mailto:nobody' }, 'WEB_PUSH_SUBJECT must be a mailto: address or an https: URL'],
    [{ WEB_PUSH_SUBJECT: 'https://x.org/a b' }, 'WEB_PUSH_SUBJECT must be a mailto: address or an https: URL'],
    [{ WEB_PUSH_ALLOW_HOSTS: 'https://relay.internal' }, 'WEB_PUSH_ALLOW_HOSTS entry "https://relay.internal"'],
    [{ WEB_PUSH_ALLOW_HOSTS: '127.0.0.1:8443' }, 'WEB_PUSH_ALLOW_HOSTS entry "127.0.0.1:8443" must be a host'],
    [{ WEB_PUSH_ALLOW_HOSTS: 'relay/push' }, 'WEB_PUSH_ALLOW_HOSTS entry "relay/push"'],
    [{ WEB_PUSH_ALLOW_HOSTS: 'user@relay' }, 'WEB_PUSH_ALLOW_HOSTS entry "user@relay"'],
    [{ WEB_PUSH_MAX_SUBSCRIPTIONS: '0' }, 'WEB_PUSH_MAX_SUBSCRIPTIONS must be an integer from 1 to 10000, got "0"'],
  ])('refuses %j with a clear message, which never holds a private key', (env, message) => {
    let thrown: unknown;
    try {
      loadServerConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain(message);
    for (const secret of [KEYS.privateKey, OTHER.privateKey])
      expect((thrown as ConfigError).message).not.toContain(secret);
  });
});

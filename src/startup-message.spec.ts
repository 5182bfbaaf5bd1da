import { loadServerConfig } from './config/server-config';
import { generateVAPIDKeys } from 'web-push';
import { startupMessage } from './startup-message';

const at = { baseUrl: 'http://127.0.0.1:8080', lmtp: '127.0.0.1:2424' };

describe('startupMessage', () => {
  it('names the page, the Session URL, and the demo users with their passwords and tokens', () => {
    const message = startupMessage(loadServerConfig({}), at);
    expect(message).toContain('page:    http://127.0.0.1:8080/\n');
    expect(message).toContain('Session: http://127.0.0.1:8080/.well-known/jmap\n');
    expect(message).toContain('the demo users (set JMAP_USERS and JMAP_TOKENS for your own)');
    expect(message).toContain('alice@example.com password alice-secret token alice-token');
    expect(message).toContain('LMTP:    127.0.0.1:2424');
    expect(message).toContain('(sse transport)');
    expect(message).toContain('socket:  ws://127.0.0.1:8080/jmap/ws (JMAP over WebSocket, with push)\n');
  });

  it('says configured users come from JMAP_USERS, and never prints their secrets', () => {
    const config = loadServerConfig({ JMAP_USERS: 'a@x.org:hidden-pw', JMAP_TOKENS: 'a@x.org:hidden-token' });
    const message = startupMessage(config, { ...at, lmtp: undefined });
    expect(message).toContain('a@x.org from JMAP_USERS, 1 token(s) from JMAP_TOKENS');
    expect(message).not.toMatch(/hidden/);
    expect(message).toContain('LMTP:    off');
  });

  it('says how Web Push is set up: subscriptions in memory or Redis, and where the VAPID keys come from', () => {
    const generated = startupMessage(loadServerConfig({}), at);
    expect(generated).toContain(
      '  webpush: PushSubscription (RFC 8620 section 7.2), subscriptions in memory, VAPID keys generated at this boot',
    );
    expect(generated).toContain('subject mailto:postmaster@example.com\n');
    const keys = generateVAPIDKeys();
    const configured = startupMessage(
      loadServerConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        WEB_PUSH_VAPID_PUBLIC_KEY: keys.publicKey,
        WEB_PUSH_VAPID_PRIVATE_KEY: keys.privateKey,
        WEB_PUSH_SUBJECT: 'https://mail.x.org/contact',
      }),
      at,
    );
    expect(configured).toContain(
      'subscriptions in Redis, VAPID keys from WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY, subject https://mail.x.org/contact',
    );
    // The keys are the server's secret (the private one) and the Session's business (the public one).
    expect(configured).not.toContain(keys.privateKey);
    expect(configured).not.toContain(keys.publicKey);
  });
});

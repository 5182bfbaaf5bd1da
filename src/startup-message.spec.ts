import { loadServerConfig } from './config/server-config';
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
});

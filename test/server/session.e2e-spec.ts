import { ACCOUNT, startServer, USERS, type TestServer } from './support/server-fixture';

describe('Session resource (RFC 8620 section 2)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('answers 401 with a Basic challenge without credentials', async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/jmap`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="JMAP"/);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 401 for a wrong password and for an unknown user', async () => {
    for (const authorization of [
      `Basic ${Buffer.from('alice@example.com:wrong').toString('base64')}`,
      `Basic ${Buffer.from('mallory@example.com:alice-secret').toString('base64')}`,
      'Bearer abc',
    ]) {
      const response = await fetch(`${server.baseUrl}/.well-known/jmap`, { headers: { Authorization: authorization } });
      expect(response.status).toBe(401);
    }
  });

  it('describes the user, accounts, capabilities and URLs, not cacheable', async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/jmap`, {
      headers: { Authorization: server.auth('alice') },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    const session: any = await response.json();
    expect(session.username).toBe(USERS.alice.username);
    expect(Object.keys(session.capabilities).sort()).toEqual([
      'urn:ietf:params:jmap:core',
      'urn:ietf:params:jmap:mail',
      'urn:ietf:params:jmap:webpush-vapid',
      'urn:ietf:params:jmap:websocket',
    ]);
    // RFC 9749 section 3: the VAPID public key, an uncompressed P-256 point in base64url.
    expect(session.capabilities['urn:ietf:params:jmap:webpush-vapid']).toEqual({
      applicationServerKey: expect.stringMatching(/^B[A-Za-z0-9_-]{86}$/),
    });
    // RFC 8887 section 4.1: the WebSocket URL, derived from the request as the other URLs are, with push.
    expect(session.capabilities['urn:ietf:params:jmap:websocket']).toEqual({
      url: `${server.baseUrl.replace(/^http:/, 'ws:')}/jmap/ws`,
      supportsPush: true,
    });
    expect(session.capabilities['urn:ietf:params:jmap:core']).toEqual(
      expect.objectContaining({
        maxSizeUpload: expect.any(Number),
        maxConcurrentUpload: expect.any(Number),
        maxSizeRequest: expect.any(Number),
        maxConcurrentRequests: expect.any(Number),
        maxCallsInRequest: expect.any(Number),
        maxObjectsInGet: expect.any(Number),
        maxObjectsInSet: expect.any(Number),
      }),
    );
    expect(Array.isArray(session.capabilities['urn:ietf:params:jmap:core'].collationAlgorithms)).toBe(true);
    // Alice's own account, and bob's, shared with her read-only.
    expect(Object.keys(session.accounts).sort()).toEqual([ACCOUNT.alice, ACCOUNT.bob].sort());
    expect(session.accounts[ACCOUNT.alice]).toMatchObject({
      name: USERS.alice.username,
      isPersonal: true,
      isReadOnly: false,
    });
    expect(session.accounts[ACCOUNT.bob]).toMatchObject({
      name: USERS.bob.username,
      isPersonal: false,
      isReadOnly: true,
    });
    expect(session.accounts[ACCOUNT.alice].accountCapabilities['urn:ietf:params:jmap:mail']).toMatchObject({
      maxSizeMailboxName: expect.any(Number),
      mayCreateTopLevelMailbox: true,
    });
    expect(
      session.accounts[ACCOUNT.alice].accountCapabilities['urn:ietf:params:jmap:mail'].emailQuerySortOptions,
    ).toContain('receivedAt');
    expect(session.primaryAccounts['urn:ietf:params:jmap:mail']).toBe(ACCOUNT.alice);
    expect(session.apiUrl).toBe(`${server.baseUrl}/jmap/api`);
    expect(session.downloadUrl).toBe(`${server.baseUrl}/jmap/download/{accountId}/{blobId}/{name}?accept={type}`);
    expect(session.uploadUrl).toBe(`${server.baseUrl}/jmap/upload/{accountId}/`);
    expect(session.eventSourceUrl).toBe(
      `${server.baseUrl}/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}`,
    );
    expect(typeof session.state).toBe('string');
  });

  it('does not show a user accounts nobody shared with them', async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/jmap`, {
      headers: { Authorization: server.auth('carol') },
    });
    const session: any = await response.json();
    expect(Object.keys(session.accounts)).toEqual([ACCOUNT.carol]);
  });

  it('gives account ids derived from the user name, the same on every boot', async () => {
    const other = await startServer({ lmtpPort: null });
    try {
      const response = await fetch(`${other.baseUrl}/.well-known/jmap`, {
        headers: { Authorization: other.auth('bob') },
      });
      const session: any = await response.json();
      expect(session.primaryAccounts['urn:ietf:params:jmap:mail']).toBe(ACCOUNT.bob);
    } finally {
      await other.close();
    }
  });

  it('uses PUBLIC_URL for every URL when set', async () => {
    const other = await startServer({ lmtpPort: null, publicUrl: 'https://mail.example.org' });
    try {
      const response = await fetch(`${other.baseUrl}/.well-known/jmap`, {
        headers: { Authorization: other.auth('bob') },
      });
      const session: any = await response.json();
      expect(session.apiUrl).toBe('https://mail.example.org/jmap/api');
      expect(session.eventSourceUrl).toMatch(/^https:\/\/mail\.example\.org\/jmap\/eventsource\?/);
      // An https PUBLIC_URL is reached over TLS, so the socket is wss (RFC 8887 section 4.1).
      expect(session.capabilities['urn:ietf:params:jmap:websocket'].url).toBe('wss://mail.example.org/jmap/ws');
    } finally {
      await other.close();
    }
  });
});

// Issue 14: PushSubscription and Web Push from the reference server, as `npm start` runs it (a process of
// its own, so NODE_EXTRA_CA_CERTS trusts the fake push service's certificate the way an operator trusts a
// relay's CA), to a push service on loopback that decrypts what it gets and checks its VAPID signature.
import { FakePushService, type FakePushSubscription, type RecordedPush } from 'jmap-push/testing';
import { createECDH, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { within } from '../support/wait';
import { describeWithOpenssl } from '../web-push/support/tls';
import { openJmapSocket, type JmapSocket } from '../support/ws-client';
import { JmapHttp } from './support/jmap-http';
import { sendLmtp } from './support/lmtp-client';
import { ACCOUNT, USERS } from './support/server-fixture';
import { spawnServer, type ServerProcess } from './support/server-process';
import { Teardown } from './support/teardown';
import { makeTestCertificate, type TestCertificate } from './support/test-certificate';
import { mailForAlice, webPushServerEnv } from './support/web-push-server';

const VAPID_CAPABILITY = 'urn:ietf:params:jmap:webpush-vapid';
const PASSWORD = JmapHttp.basic(USERS.alice.username, USERS.alice.password);
const TOKEN = JmapHttp.bearer(USERS.alice.token);

describeWithOpenssl('Web Push from the reference server (RFC 8620 section 7.2, RFC 8030, RFC 8291, RFC 8292)', () => {
  let certificate: TestCertificate;
  let pushService: FakePushService;
  let server: ServerProcess;
  let api: JmapHttp;
  let applicationServerKey: string;
  const sockets: JmapSocket[] = [];
  let devices = 0;
  const teardown = new Teardown();

  beforeAll(async () => {
    certificate = teardown.add(makeTestCertificate(), (made) => {
      made.remove();
    });
    pushService = teardown.add(await FakePushService.start(certificate), (service) => service.close());
    server = teardown.add(await spawnServer(await webPushServerEnv(certificate.certFile)), (spawned) => spawned.stop());
    api = new JmapHttp(server.baseUrl);
    applicationServerKey = (await api.session(PASSWORD)).capabilities[VAPID_CAPABILITY]?.applicationServerKey;
  }, 60_000);
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => teardown.run());

  /** A device of the push service, subscribed over the API with `authorization`; answers its JMAP id. */
  async function subscribe(
    authorization: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ name: string; device: FakePushSubscription; id: string }> {
    const name = `device-${++devices}`;
    const device = pushService.subscription(name);
    const set = await api.one(authorization, 'PushSubscription/set', {
      create: { new: { deviceClientId: name, url: device.endpoint, keys: device.keys, ...extra } },
    });
    expect(set.notCreated).toBeNull();
    // RFC 8620 section 7.2: url and keys are private to the device, never echoed back.
    expect(JSON.stringify(set)).not.toContain(device.endpoint);
    expect(JSON.stringify(set)).not.toContain(device.keys.auth);
    return { name, device, id: set.created.new.id };
  }

  /** The decrypted JSON of a push, after checking it is encrypted (RFC 8291) and signed with the Session's key. */
  function payloadOf(push: RecordedPush): any {
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.decryptError).toBeUndefined();
    expect(push.vapid).toEqual({
      valid: true,
      publicKey: applicationServerKey,
      claims: expect.objectContaining({ aud: pushService.origin, sub: `mailto:postmaster@example.com` }),
    });
    return JSON.parse(push.payload!.toString('utf8'));
  }

  /** Waits for the PushVerification (RFC 8620 section 7.2.2) and sets its code; answers the code. */
  async function verify(authorization: string, name: string, id: string): Promise<string> {
    const verification = payloadOf(await pushService.nextPush(name));
    expect(verification).toEqual({
      '@type': 'PushVerification',
      pushSubscriptionId: id,
      verificationCode: expect.any(String),
    });
    const set = await api.one(authorization, 'PushSubscription/set', {
      update: { [id]: { verificationCode: verification.verificationCode } },
    });
    expect(set.updated).toEqual({ [id]: null });
    return verification.verificationCode;
  }

  it('advertises its VAPID public key in the Session (RFC 9749 section 3), and says it was generated at boot', () => {
    const key = Buffer.from(applicationServerKey, 'base64url');
    // An uncompressed P-256 point, as PushManager.subscribe() takes it.
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(0x04);
    expect(server.output()).toContain('WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY are not set');
    expect(server.output()).toContain('restricted to the key the browser subscribed with (RFC 8292 section 4)');
    expect(server.output()).toContain('  webpush: PushSubscription (RFC 8620 section 7.2), subscriptions in memory');
  });

  it('verifies a subscription over Web Push, then pushes a delivered mail as a StateChange with Urgency high', async () => {
    const { name, id } = await subscribe(PASSWORD);
    const code = await verify(PASSWORD, name, id);
    const [listed] = (await api.one(PASSWORD, 'PushSubscription/get', {})).list;
    expect(listed).toEqual({
      id,
      deviceClientId: name,
      verificationCode: code,
      expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      types: null,
    });

    const delivered = await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.org', to: [USERS.alice.username] },
      mailForAlice('Pushed'),
    );
    expect(delivered.accepted).toEqual([USERS.alice.username]);
    const push = await pushService.nextPush(name);
    const change = payloadOf(push);
    const [[, emails]] = await api.call(PASSWORD, [['Email/get', { accountId: ACCOUNT.alice, ids: [] }, 'e']]);
    expect(change).toEqual({
      '@type': 'StateChange',
      changed: { [ACCOUNT.alice]: expect.objectContaining({ Email: emails.state, EmailDelivery: expect.any(String) }) },
    });
    // RFC 8030 section 5.3: a new mail is what a phone should wake for.
    expect(push.headers.urgency).toBe('high');
    expect(Number(push.headers.ttl)).toBeGreaterThan(0);
  });

  it('keeps a subscription to its credential: alice’s token neither sees nor touches her password’s (RFC 8620 section 7.2)', async () => {
    const { id } = await subscribe(PASSWORD);
    const byToken = await api.one(TOKEN, 'PushSubscription/get', { ids: [id] });
    expect(byToken).toEqual({ list: [], notFound: [id] });
    expect((await api.one(TOKEN, 'PushSubscription/get', {})).list.map((s: any) => s.id)).not.toContain(id);
    const destroy = await api.one(TOKEN, 'PushSubscription/set', { destroy: [id] });
    expect(destroy.notDestroyed).toEqual({ [id]: expect.objectContaining({ type: 'notFound' }) });
    expect((await api.one(PASSWORD, 'PushSubscription/get', { ids: [id] })).list).toHaveLength(1);
    // The token's own subscriptions are the token's.
    const own = await subscribe(TOKEN);
    expect((await api.one(TOKEN, 'PushSubscription/get', {})).list.map((s: any) => s.id)).toEqual([own.id]);
  });

  it.each([['url'], ['keys']])(
    'refuses to return %s, private to the device, with forbidden (RFC 8620 section 7.2.1)',
    async (property) => {
      await subscribe(PASSWORD);
      const [[name, args, callId]] = await api.call(PASSWORD, [
        ['PushSubscription/get', { properties: ['id', property] }, 'g'],
      ]);
      expect([name, args.type, callId]).toEqual(['error', 'forbidden', 'g']);
    },
  );

  it('answers PushSubscription/get only when the Request uses urn:ietf:params:jmap:core', async () => {
    const [[name, args]] = await api.call(PASSWORD, [['PushSubscription/get', {}, 'g']], ['urn:ietf:params:jmap:mail']);
    expect([name, args.type]).toEqual(['error', 'unknownMethod']);
  });

  it('scopes WebSocket requests the same way: Basic on the socket is the password, each browser session its own', async () => {
    const { id } = await subscribe(PASSWORD);
    const ws = `${server.baseUrl.replace(/^http/, 'ws')}/jmap/ws`;
    const request = async (socket: JmapSocket, methodCall: [string, Record<string, unknown>]): Promise<any> => {
      socket.send({
        '@type': 'Request',
        using: ['urn:ietf:params:jmap:core'],
        methodCalls: [[...methodCall, 'c']],
      });
      const response: any = await socket.next();
      expect(response.methodResponses[0][0]).toBe(methodCall[0]);
      return response.methodResponses[0][1];
    };
    const idsOver = async (socket: JmapSocket): Promise<string[]> =>
      (await request(socket, ['PushSubscription/get', {}])).list.map((s: any) => s.id);
    const open = async (options: Parameters<typeof openJmapSocket>[1]): Promise<JmapSocket> => {
      const socket = await openJmapSocket(ws, options);
      sockets.push(socket);
      return socket;
    };
    /** Signs alice in as a page does; answers the cookie its WebSocket sends. */
    const browserCookie = async (): Promise<string> => {
      const signIn = await fetch(`${server.baseUrl}/jmap/eventsource/session`, {
        method: 'POST',
        headers: { Authorization: PASSWORD },
      });
      expect(signIn.status).toBe(204);
      return /^([^;]+)/.exec(signIn.headers.getSetCookie().find((value) => value.includes('Path=/jmap/ws'))!)![1];
    };

    expect(await idsOver(await open({ user: USERS.alice.username, password: USERS.alice.password }))).toContain(id);

    const browser = await open({ headers: { Cookie: await browserCookie(), Origin: server.baseUrl } });
    expect(await idsOver(browser)).toEqual([]);
    const device = pushService.subscription(`device-${++devices}`);
    const created = await request(browser, [
      'PushSubscription/set',
      { create: { b: { deviceClientId: 'browser', url: device.endpoint, keys: device.keys } } },
    ]);
    const browserId: string = created.created.b.id;
    expect(await idsOver(browser)).toEqual([browserId]);
    // Neither the password nor another sign-in of the same user sees it: the session is the credential.
    expect((await api.one(PASSWORD, 'PushSubscription/get', {})).list.map((s: any) => s.id)).not.toContain(browserId);
    const other = await open({ headers: { Cookie: await browserCookie(), Origin: server.baseUrl } });
    expect(await idsOver(other)).toEqual([]);
  });
});

describeWithOpenssl('Web Push from a reference server that does not trust the push service’s CA', () => {
  let certificate: TestCertificate;
  let pushService: HttpsServer;
  let server: ServerProcess;
  let requests = 0;
  /** Connections that ended without a request: the TLS client hung up on the certificate. */
  const hangUps: string[] = [];
  let hungUp: () => void = () => undefined;
  const teardown = new Teardown();

  beforeAll(async () => {
    certificate = teardown.add(makeTestCertificate(), (made) => {
      made.remove();
    });
    pushService = createHttpsServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
      requests++;
      response.writeHead(201).end();
    });
    const noteHangUp = (how: string): void => {
      hangUps.push(how);
      hungUp();
    };
    pushService.on('tlsClientError', (error) => {
      noteHangUp(`during the handshake: ${error.message}`);
    });
    pushService.on('secureConnection', (socket) => {
      // Node's TLS client checks the certificate once the handshake is done, and destroys the socket.
      socket.once('close', () => {
        if (requests === 0) noteHangUp('after the handshake, before any request');
      });
    });
    await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.1', resolve));
    teardown.add(pushService, (listening) => {
      listening.closeAllConnections();
      return new Promise((resolve) => listening.close(resolve));
    });
    const env = await webPushServerEnv(certificate.certFile);
    delete env.NODE_EXTRA_CA_CERTS;
    server = teardown.add(await spawnServer(env), (spawned) => spawned.stop());
  }, 60_000);
  afterAll(() => teardown.run());

  it('hangs up on the certificate without sending the push: trust comes from NODE_EXTRA_CA_CERTS, none is skipped', async () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const { port } = pushService.address() as AddressInfo;
    const sawHangUp = new Promise<void>((resolve) => {
      hungUp = resolve;
      if (hangUps.length > 0) resolve();
    });
    await new JmapHttp(server.baseUrl).one(PASSWORD, 'PushSubscription/set', {
      create: {
        c: {
          deviceClientId: 'untrusted',
          url: `https://127.0.0.1:${port}/push/untrusted`,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
        },
      },
    });
    await within(sawHangUp, 10_000, 'the server hung up on the untrusted certificate');
    expect(requests).toBe(0);
  });
});

describe('Web Push configuration errors at start', () => {
  it.each([
    [{ WEB_PUSH_VAPID_PUBLIC_KEY: 'BAAA' }, 'WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY go together'],
    [{ WEB_PUSH_SUBJECT: 'ops@example.com' }, 'WEB_PUSH_SUBJECT must be a mailto: address or an https: URL'],
  ])('stops `npm start` with a message and no stack trace (%j)', async (env, message) => {
    const refused = await spawnServer({ HOST: '127.0.0.1', PORT: '0', LMTP_PORT: '0', ...env }).then(
      // Started after all: stopped, so the failing test leaves no process behind.
      async (started) => {
        await started.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    const error = refused as Error;
    expect(error.message).toContain('exited (1) before it started');
    expect(error.message).toContain(`Configuration error: ${message}`);
    expect(error.message).not.toMatch(/\n\s+at /);
  });
});

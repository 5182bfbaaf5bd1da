// Issue 14: with REDIS_URL, push subscriptions live in Redis, so a verified subscription outlives the
// server process, and a new process with the same VAPID keys (from the environment) pushes to it.
import Redis from 'ioredis';
import { FakePushService } from 'jmap-push/testing';
import { generateVAPIDKeys } from 'web-push';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from '../redis/support/redis-test-keys';
import { describeWithOpenssl } from '../web-push/support/tls';
import { JmapHttp } from './support/jmap-http';
import { sendLmtp } from './support/lmtp-client';
import { ACCOUNT, USERS } from './support/server-fixture';
import { spawnServer, type ServerProcess } from './support/server-process';
import { Teardown } from './support/teardown';
import { makeTestCertificate, type TestCertificate } from './support/test-certificate';
import { mailForAlice, webPushServerEnv } from './support/web-push-server';

const PASSWORD = JmapHttp.basic(USERS.alice.username, USERS.alice.password);

describeWithOpenssl('Web Push from the reference server on Redis', () => {
  const keyPrefix = uniqueKeyPrefix();
  const vapid = generateVAPIDKeys();
  let certificate: TestCertificate;
  let pushService: FakePushService;
  let redis: Redis;
  const teardown = new Teardown();

  beforeAll(async () => {
    redis = teardown.add(new Redis(REDIS_URL), async (client) => {
      await deleteKeys(client, keyPrefix);
      await client.quit();
    });
    certificate = teardown.add(makeTestCertificate(), (made) => {
      made.remove();
    });
    pushService = teardown.add(await FakePushService.start(certificate), (service) => service.close());
  });
  afterAll(() => teardown.run());

  /** A server process on the shared Redis, with this test's VAPID keys and key prefix. */
  async function start(): Promise<{ server: ServerProcess; api: JmapHttp }> {
    const env = await webPushServerEnv(certificate.certFile, {
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
      WEB_PUSH_SUBJECT: 'mailto:ops@example.com',
    });
    const server = teardown.add(await spawnServer(env), (spawned) => spawned.stop());
    return { server, api: new JmapHttp(server.baseUrl) };
  }

  it('keeps a verified subscription across a restart, and the new process pushes to it', async () => {
    const first = await start();
    expect(first.server.output()).not.toContain('are not set: Web Push signs with a key pair generated');
    expect((await first.api.session(PASSWORD)).capabilities['urn:ietf:params:jmap:webpush-vapid']).toEqual({
      applicationServerKey: vapid.publicKey,
    });
    const device = pushService.subscription('phone');
    const created = await first.api.one(PASSWORD, 'PushSubscription/set', {
      create: { c: { deviceClientId: 'phone', url: device.endpoint, keys: device.keys, types: ['EmailDelivery'] } },
    });
    const id: string = created.created.c.id;
    const verification = await pushService.nextPush('phone');
    expect(verification.vapid).toMatchObject({ valid: true, publicKey: vapid.publicKey });
    const { verificationCode } = JSON.parse(verification.payload!.toString('utf8'));
    await first.api.one(PASSWORD, 'PushSubscription/set', { update: { [id]: { verificationCode } } });
    // The subscription is in Redis under the server's prefix, never anywhere else.
    expect(await redis.exists(`${keyPrefix}wp:sub:${id}`)).toBe(1);

    await first.server.stop();
    const second = await start();
    expect((await second.api.one(PASSWORD, 'PushSubscription/get', { ids: [id] })).list).toEqual([
      expect.objectContaining({ id, deviceClientId: 'phone', verificationCode, types: ['EmailDelivery'] }),
    ]);

    await sendLmtp(
      second.server.lmtpPort!,
      { from: 'carol@example.org', to: [USERS.alice.username] },
      mailForAlice('After the restart'),
    );
    const push = await pushService.nextPush('phone');
    expect(push.vapid).toMatchObject({
      valid: true,
      publicKey: vapid.publicKey,
      claims: { sub: 'mailto:ops@example.com' },
    });
    expect(JSON.parse(push.payload!.toString('utf8'))).toEqual({
      '@type': 'StateChange',
      changed: { [ACCOUNT.alice]: { EmailDelivery: expect.any(String) } },
    });
    expect(push.headers.urgency).toBe('high');
  }, 90_000);
});

import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as webPush from 'web-push';
import { FakePushService, verifyVapid, type FakePushSubscription } from 'jmap-push/testing';
import { JmapPushError } from 'jmap-push/errors/jmap-push.error';
import { pushVerification, splitStateChange } from 'jmap-push/web-push/push-payload';
import { PushSender, type PushTarget } from 'jmap-push/web-push/push-sender';
import { topicFor } from 'jmap-push/web-push/push-topic';
import type { PushHostResolver, ResolvedAddress, WebPushOptions } from 'jmap-push/web-push/web-push-options.interface';
import { resolveWebPushSettings } from 'jmap-push/web-push/web-push-settings';
import { selfSignedCertificate } from '../support/self-signed-certificate';

/** A resolver that answers from a table, counting its calls; a name not in the table fails as DNS would. */
function tableResolver(
  table: Record<string, ReadonlyArray<readonly ResolvedAddress[]>>,
): PushHostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = (hostname: string): Promise<readonly ResolvedAddress[]> => {
    calls.push(hostname);
    const answers = Object.hasOwn(table, hostname) ? table[hostname] : undefined;
    if (answers === undefined) {
      return Promise.reject(Object.assign(new Error(`no such name ${hostname}`), { code: 'ENOTFOUND' }));
    }
    const seen = calls.filter((name) => name === hostname).length;
    return Promise.resolve(answers.at(Math.min(seen, answers.length) - 1) ?? []);
  };
  return Object.assign(resolver, { calls });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

// Everything here talks to 127.0.0.1 only. Names resolve through injected resolvers; the refused ones
// are refused before any socket exists, which the fake's connection count shows.
describe('PushSender over real HTTPS to the FakePushService (RFC 8030, RFC 8291, RFC 8292)', () => {
  const vapidKeys = webPush.generateVAPIDKeys();
  const vapid = { ...vapidKeys, subject: 'mailto:ops@example.com' };
  let tls: { key: string; cert: string };
  let service: FakePushService;
  let port: string;
  const senders: PushSender[] = [];

  beforeAll(() => {
    tls = selfSignedCertificate(['IP:127.0.0.1', 'DNS:push.test', 'DNS:other.test']);
  });
  beforeEach(async () => {
    service = await FakePushService.start(tls);
    port = new URL(service.origin).port;
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    await service.close();
  });

  function sender(options: Partial<WebPushOptions> = {}): PushSender {
    const created = new PushSender(
      resolveWebPushSettings({
        vapid,
        allowHosts: ['127.0.0.1'],
        ca: tls.cert,
        resolver: tableResolver({}),
        requestTimeoutMs: 2_000,
        ...options,
      }),
    );
    senders.push(created);
    return created;
  }

  const encryptedTarget = (subscription: FakePushSubscription): PushTarget => ({
    url: subscription.endpoint,
    keys: subscription.keys,
  });
  const plainTarget = (subscription: FakePushSubscription): PushTarget => ({ url: subscription.endpoint, keys: null });
  const stateChange = { '@type': 'StateChange', changed: { a1: { Email: 's1', Mailbox: 's9' } } };
  const normal = { urgency: 'normal' as const };

  describe('the request', () => {
    it('encrypts with the subscription keys (RFC 8291): raw aes128gcm octets that decrypt to the JSON', async () => {
      const phone = service.subscription('phone');
      const outcome = await sender().send(encryptedTarget(phone), stateChange, normal);
      const push = await service.nextPush('phone');
      expect(outcome).toEqual({ kind: 'delivered', status: 201 });
      expect(push.decryptError).toBeUndefined();
      expect(JSON.parse(push.payload!.toString('utf8'))).toEqual(stateChange);
      expect(push.headers['content-encoding']).toBe('aes128gcm');
      // RFC 8620 section 7.2: "The POST request MUST have a content type of application/json".
      expect(push.headers['content-type']).toBe('application/json');
      // RFC 8188 section 2.1 on the wire, not base64: salt (16), rs (4), idlen = 65, the sender's key.
      const plaintextLength = Buffer.byteLength(JSON.stringify(stateChange));
      expect(push.body.length).toBe(16 + 4 + 1 + 65 + plaintextLength + 1 + 16);
      expect(push.body[20]).toBe(65);
      expect(push.body[21]).toBe(0x04);
      expect(push.headers['content-length']).toBe(String(push.body.length));
    });

    it('sends application/octet-stream for encrypted pushes when encryptedContentType says so', async () => {
      const phone = service.subscription('phone');
      await sender({ encryptedContentType: 'application/octet-stream' }).send(
        encryptedTarget(phone),
        stateChange,
        normal,
      );
      const push = await service.nextPush('phone');
      expect(push.headers['content-type']).toBe('application/octet-stream');
      expect(JSON.parse(push.payload!.toString('utf8'))).toEqual(stateChange);
    });

    it('sends plaintext JSON to a subscription without keys', async () => {
      const relay = service.subscription('relay');
      const verification = pushVerification('ps-1', 'code-1');
      expect(await sender().send(plainTarget(relay), verification, normal)).toEqual({ kind: 'delivered', status: 201 });
      const push = await service.nextPush('relay');
      expect(push.body.toString('utf8')).toBe(JSON.stringify(verification));
      expect(push.headers['content-type']).toBe('application/json');
      expect(push.headers['content-encoding']).toBeUndefined();
    });

    it('signs with VAPID (RFC 8292): aud is the origin, exp within 24 hours, k is our key, sub our contact', async () => {
      const phone = service.subscription('phone');
      await sender().send(encryptedTarget(phone), stateChange, normal);
      const push = await service.nextPush('phone');
      expect(push.vapid).toEqual({
        valid: true,
        publicKey: vapidKeys.publicKey,
        claims: { aud: service.origin, exp: expect.any(Number), sub: 'mailto:ops@example.com' },
      });
      const exp = push.vapid.valid ? push.vapid.claims.exp : 0;
      expect(exp * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
      expect(exp * 1000 - Date.now()).toBeGreaterThan(11 * 3_600_000);
    });

    it('reuses one VAPID token for every push to one origin', async () => {
      const phone = service.subscription('phone');
      const laptop = service.subscription('laptop');
      const pushSender = sender();
      await pushSender.send(encryptedTarget(phone), stateChange, normal);
      await pushSender.send(encryptedTarget(phone), stateChange, normal);
      await pushSender.send(plainTarget(laptop), stateChange, normal);
      const tokens = [...service.pushes('phone'), ...service.pushes('laptop')].map(
        (push) => push.headers.authorization,
      );
      expect(tokens).toHaveLength(3);
      expect(new Set(tokens).size).toBe(1);
    });

    it('passes a restricted subscription (RFC 8292 section 4) signed by its applicationServerKey', async () => {
      const phone = service.subscription('phone', { applicationServerKey: vapidKeys.publicKey });
      expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({
        kind: 'delivered',
        status: 201,
      });
      const other = webPush.generateVAPIDKeys();
      const strict = service.subscription('strict', { applicationServerKey: other.publicKey });
      expect(await sender().send(encryptedTarget(strict), stateChange, normal)).toEqual({
        kind: 'rejected',
        status: 403,
      });
    });

    it('sends TTL, Urgency and Topic (RFC 8030 section 5.2 to 5.4)', async () => {
      const phone = service.subscription('phone');
      const topic = topicFor('ps-1');
      await sender({ ttlSeconds: 600 }).send(encryptedTarget(phone), stateChange, { urgency: 'high', topic });
      await sender().send(encryptedTarget(phone), stateChange, { urgency: 'very-low' });
      const [first, second] = service.pushes('phone');
      expect(first.headers).toMatchObject({ ttl: '600', urgency: 'high', topic });
      expect(second.headers).toMatchObject({ ttl: '86400', urgency: 'very-low' });
      expect(second.headers.topic).toBeUndefined();
    });

    it('rejects, without sending, an invalid Topic or a body over 3993 octets (a caller mistake)', async () => {
      const phone = service.subscription('phone');
      const pushSender = sender();
      await expect(
        pushSender.send(encryptedTarget(phone), stateChange, { urgency: 'normal', topic: 'x'.repeat(33) }),
      ).rejects.toThrow(JmapPushError);
      await expect(
        pushSender.send(encryptedTarget(phone), stateChange, { urgency: 'normal', topic: 'a=b' }),
      ).rejects.toThrow(/Topic/);
      const huge = { '@type': 'StateChange', changed: { a1: { Email: 'x'.repeat(4000) } } };
      await expect(pushSender.send(encryptedTarget(phone), huge, normal)).rejects.toThrow(/3993/);
      expect(service.connections).toBe(0);
    });

    it('refuses, without connecting, a subscription whose keys cannot encrypt', async () => {
      const phone = service.subscription('phone');
      const keys = { p256dh: Buffer.alloc(65, 7).toString('base64url'), auth: phone.keys.auth };
      const outcome = await sender().send({ url: phone.endpoint, keys }, stateChange, normal);
      expect(outcome).toEqual({ kind: 'refused', reason: 'the subscription keys cannot encrypt' });
      expect(service.connections).toBe(0);
    });

    it('sends a StateChange cut by splitStateChange as bodies that each fit the 4096-octet push (RFC 8030 section 7.2)', async () => {
      const phone = service.subscription('phone');
      const changed: Record<string, Record<string, string>> = {};
      for (let i = 0; i < 150; i++) changed[`account-${i}`] = { Email: `e${i}`, Mailbox: `m${i}` };
      const { bodies } = splitStateChange(changed);
      expect(bodies.length).toBeGreaterThan(1);
      const pushSender = sender();
      for (const body of bodies) {
        expect(await pushSender.send(encryptedTarget(phone), body, normal)).toEqual({ kind: 'delivered', status: 201 });
      }
      const received = service.pushes('phone').map((push) => JSON.parse(push.payload!.toString('utf8')).changed);
      expect(Object.assign({}, ...received)).toEqual(changed);
      for (const push of service.pushes('phone')) expect(push.body.length).toBeLessThanOrEqual(4096);
    });
  });

  describe('the answer', () => {
    it.each([200, 201, 202, 204])('counts %d as delivered (relays answer 200 and 202)', async (status) => {
      const phone = service.subscription('phone');
      service.answer('phone', { status });
      expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({ kind: 'delivered', status });
    });

    it.each([404, 410])(
      'counts %d as gone (RFC 8030 section 7.3; 410 for an unsubscribed endpoint)',
      async (status) => {
        const phone = service.subscription('phone');
        service.answer('phone', { status });
        expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({ kind: 'gone', status });
      },
    );

    it('retries a 429 no sooner than its Retry-After (RFC 8620 section 7.2: a 429 MUST reduce the frequency)', async () => {
      const phone = service.subscription('phone');
      service.answer('phone', { status: 429, retryAfter: 7 });
      expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({
        kind: 'retry',
        status: 429,
        retryAfterMs: 7_000,
        reason: 'status 429',
      });
    });

    it('reads a Retry-After HTTP-date', async () => {
      const phone = service.subscription('phone');
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
      service.answer('phone', { status: 503, retryAfter: at.toUTCString() });
      const outcome = await sender().send(encryptedTarget(phone), stateChange, normal);
      expect(outcome).toMatchObject({ kind: 'retry', status: 503 });
      const retryAfterMs = outcome.kind === 'retry' ? (outcome.retryAfterMs ?? 0) : 0;
      expect(retryAfterMs).toBeGreaterThan(55_000);
      expect(retryAfterMs).toBeLessThanOrEqual(61_000);
    });

    it.each([500, 502, 503])('retries a %d without Retry-After', async (status) => {
      const phone = service.subscription('phone');
      service.answer('phone', { status });
      expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({
        kind: 'retry',
        status,
        reason: `status ${status}`,
      });
    });

    it.each([400, 401, 403, 413])('rejects a %d', async (status) => {
      const phone = service.subscription('phone');
      service.answer('phone', { status });
      expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({ kind: 'rejected', status });
    });

    it.each([301, 302, 307, 308])('does not follow a %d, and rejects it', async (status) => {
      const phone = service.subscription('phone');
      const elsewhere = service.subscription('elsewhere');
      service.answer('phone', { status, location: elsewhere.endpoint });
      expect(await sender().send(encryptedTarget(phone), stateChange, normal)).toEqual({ kind: 'rejected', status });
      expect(service.pushes('elsewhere')).toHaveLength(0);
    });

    it('retries a push service slower than requestTimeoutMs, without waiting for it', async () => {
      const phone = service.subscription('phone');
      service.answer('phone', { status: 201, delayMs: 10_000 });
      const started = Date.now();
      const outcome = await sender({ requestTimeoutMs: 300 }).send(encryptedTarget(phone), stateChange, normal);
      expect(outcome).toEqual({ kind: 'retry', reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(service.pushes('phone')).toHaveLength(1);
    });

    it('retries a network failure: nothing listening', async () => {
      const phone = service.subscription('phone');
      const url = phone.endpoint;
      await service.close();
      const outcome = await sender().send({ url, keys: phone.keys }, stateChange, normal);
      expect(outcome).toEqual({ kind: 'retry', reason: 'network error ECONNREFUSED' });
      service = await FakePushService.start(tls);
    });

    it('retries a certificate it does not trust (no ca given: Node’s own CAs)', async () => {
      const phone = service.subscription('phone');
      const outcome = await sender({ ca: undefined }).send(encryptedTarget(phone), stateChange, normal);
      expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^network error /) });
      expect(service.pushes('phone')).toHaveLength(0);
    });

    it('reads at most a little of a large answer body, and closes that connection rather than holding the body', async () => {
      const phone = service.subscription('phone');
      // One connection (an undici Client rather than a Pool), so which push reuses it is certain.
      const pushSender = sender({ maxConcurrentPushes: 1 });
      service.answer(
        'phone',
        { status: 201, body: 'ok' },
        { status: 201, body: Buffer.alloc(4 * 1024 * 1024, 0x61) },
        { status: 201 },
      );
      expect(await pushSender.send(encryptedTarget(phone), stateChange, normal)).toEqual({
        kind: 'delivered',
        status: 201,
      });
      expect(await pushSender.send(encryptedTarget(phone), stateChange, normal)).toEqual({
        kind: 'delivered',
        status: 201,
      });
      expect(service.connections).toBe(1);
      expect(await pushSender.send(encryptedTarget(phone), stateChange, normal)).toEqual({
        kind: 'delivered',
        status: 201,
      });
      // The short body left its connection reusable; the 4 MiB one was cut, so the third push needed a new one.
      expect(service.connections).toBe(2);
    });
    it('ends a push whose answer body never ends at requestTimeoutMs, by its status', async () => {
      // A push service that answers 201 at once, then trickles its body, a byte per 50 ms: faster than
      // undici's bodyTimeout (an idle bound), so only the whole request's deadline can end it.
      const timers = new Set<NodeJS.Timeout>();
      const trickling = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        req.resume();
        res.writeHead(201); // chunked: no length for the sender to judge the body by
        const timer = setInterval(() => {
          res.write('x');
        }, 50);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
        });
      });
      await new Promise<void>((resolve) => trickling.listen(0, '127.0.0.1', resolve));
      try {
        const { port: tricklingPort } = trickling.address() as AddressInfo;
        const target = { url: `https://127.0.0.1:${tricklingPort}/push/slow-body`, keys: null };
        const outcome = await sender({ requestTimeoutMs: 300 }).send(target, stateChange, normal);
        expect(outcome).toEqual({ kind: 'delivered', status: 201 });
      } finally {
        for (const timer of timers) clearInterval(timer);
        trickling.closeAllConnections();
        await new Promise((resolve) => trickling.close(resolve));
      }
    });
  });

  describe('connections', () => {
    it('keeps connections alive: many pushes, few connections', async () => {
      const phone = service.subscription('phone');
      const pushSender = sender();
      for (let i = 0; i < 25; i++) {
        expect(await pushSender.send(encryptedTarget(phone), stateChange, normal)).toMatchObject({ kind: 'delivered' });
      }
      expect(service.pushes('phone')).toHaveLength(25);
      // undici's pool opens a spare connection while its first one is busy connecting, then reuses both.
      expect(service.connections).toBeLessThanOrEqual(2);
    });

    it('asks the resolver once per connection, not once per push', async () => {
      const phone = service.subscription('phone');
      const resolver = tableResolver({ 'push.test': [[v4('127.0.0.1')]] });
      const pushSender = sender({ resolver, allowHosts: ['push.test'] });
      const url = new URL(phone.endpoint);
      url.hostname = 'push.test';
      for (let i = 0; i < 10; i++) {
        expect(await pushSender.send({ url: url.href, keys: null }, stateChange, normal)).toMatchObject({
          kind: 'delivered',
        });
      }
      expect(service.connections).toBeGreaterThan(0);
      expect(resolver.calls).toHaveLength(service.connections);
    });

    it('keeps one connection alive for every push when maxConcurrentPushes is 1', async () => {
      const phone = service.subscription('phone');
      const pushSender = sender({ maxConcurrentPushes: 1 });
      for (let i = 0; i < 25; i++) {
        expect(await pushSender.send(encryptedTarget(phone), stateChange, normal)).toMatchObject({ kind: 'delivered' });
      }
      expect(service.connections).toBe(1);
    });

    it('opens no more connections to an origin than maxConcurrentPushes, however many pushes at once', async () => {
      const pushSender = sender({ maxConcurrentPushes: 3 });
      const subscriptions = Array.from({ length: 30 }, (_, i) => service.subscription(`s${i}`));
      const outcomes = await Promise.all(
        subscriptions.map((subscription) => pushSender.send(encryptedTarget(subscription), stateChange, normal)),
      );
      expect(outcomes.every((outcome) => outcome.kind === 'delivered')).toBe(true);
      expect(service.connections).toBeLessThanOrEqual(3);
    });
  });

  describe('the SSRF guard (RFC 8620 section 8.6), through an injected resolver', () => {
    const urlOn = (host: string, subscription: FakePushSubscription): string => {
      const url = new URL(subscription.endpoint);
      url.hostname = host;
      return url.href;
    };

    it.each<[string, readonly ResolvedAddress[]]>([
      ['a private address', [v4('10.0.0.1')]],
      ['IPv4-mapped loopback', [v6('::ffff:127.0.0.1')]],
      ['loopback, not being listed', [v4('127.0.0.1')]],
      ['the cloud metadata address', [v4('169.254.169.254')]],
      ['loopback among other addresses', [v4('10.0.0.1'), v4('127.0.0.1')]],
      ['nothing', []],
    ])('refuses a name resolving to %s, before connecting', async (_, addresses) => {
      const phone = service.subscription('phone');
      const resolver = tableResolver({ 'internal.test': [addresses] });
      const outcome = await sender({ resolver }).send(
        { url: urlOn('internal.test', phone), keys: phone.keys },
        stateChange,
        normal,
      );
      expect(outcome).toEqual({ kind: 'refused', reason: expect.any(String) });
      expect(resolver.calls).toEqual(['internal.test']);
      expect(service.connections).toBe(0);
      // Nothing in the outcome names the URL (it may be logged).
      expect(JSON.stringify(outcome)).not.toMatch(/internal\.test|\/push\/|10\.0\.0\.1|127\.0\.0\.1/);
    });

    it('refuses a name NOT in allowHosts that resolves to an address that is (127.0.0.1)', async () => {
      const phone = service.subscription('phone');
      const resolver = tableResolver({ 'other.test': [[v4('127.0.0.1')]] });
      const outcome = await sender({ resolver }).send(
        { url: urlOn('other.test', phone), keys: null },
        stateChange,
        normal,
      );
      expect(outcome).toMatchObject({ kind: 'refused' });
      expect(service.connections).toBe(0);
    });

    it.each(['10.0.0.1', '[::1]', '[::ffff:7f00:1]', '169.254.169.254', '127.0.0.2'])(
      'refuses the IP-literal URL host %s without resolving it',
      async (literal) => {
        const phone = service.subscription('phone');
        const resolver = tableResolver({});
        const outcome = await sender({ resolver }).send(
          { url: urlOn(literal, phone), keys: null },
          stateChange,
          normal,
        );
        expect(outcome).toMatchObject({ kind: 'refused' });
        expect(resolver.calls).toEqual([]);
        expect(service.connections).toBe(0);
      },
    );

    it('lets a name in allowHosts reach loopback (an internal relay)', async () => {
      const phone = service.subscription('phone');
      const resolver = tableResolver({ 'push.test': [[v4('127.0.0.1')]] });
      const outcome = await sender({ resolver, allowHosts: ['push.test'] }).send(
        { url: urlOn('push.test', phone), keys: phone.keys },
        stateChange,
        normal,
      );
      expect(outcome).toEqual({ kind: 'delivered', status: 201 });
      const push = await service.nextPush('phone');
      expect(JSON.parse(push.payload!.toString('utf8'))).toEqual(stateChange);
      // The token names the URL's origin, the name, not the address it resolved to.
      expect(verifyVapid(push.headers.authorization, `https://push.test:${port}`)).toMatchObject({ valid: true });
    });

    it('refuses https://127.0.0.1 when only a name is listed: allowHosts names URL hosts, not addresses', async () => {
      const phone = service.subscription('phone');
      const outcome = await sender({ allowHosts: ['push.test'] }).send(plainTarget(phone), stateChange, normal);
      expect(outcome).toMatchObject({ kind: 'refused' });
      expect(service.connections).toBe(0);
    });

    it('refuses a URL that is not https, or carries credentials', async () => {
      const phone = service.subscription('phone');
      const pushSender = sender();
      for (const url of [
        phone.endpoint.replace('https:', 'http:'),
        phone.endpoint.replace('https://', 'https://user:secret@'),
        'not a url',
      ]) {
        expect(await pushSender.send({ url, keys: null }, stateChange, normal)).toMatchObject({ kind: 'refused' });
      }
      expect(service.connections).toBe(0);
    });

    it('connects each time to exactly the addresses it checked, with one resolution per connection (DNS rebinding)', async () => {
      const phone = service.subscription('phone');
      // A listed relay whose name answers 127.0.0.1 first and 127.0.0.2 (where nothing listens) next.
      const resolver = tableResolver({ 'push.test': [[v4('127.0.0.1')], [v4('127.0.0.2')]] });
      const pushSender = sender({ resolver, allowHosts: ['push.test'], maxConcurrentPushes: 1 });
      const target = { url: urlOn('push.test', phone), keys: phone.keys };
      // Two pushes on one kept-alive connection, the second answer too large to keep it.
      service.answer('phone', { status: 201 }, { status: 201, body: Buffer.alloc(1024 * 1024) });
      expect(await pushSender.send(target, stateChange, normal)).toMatchObject({ kind: 'delivered' });
      expect(await pushSender.send(target, stateChange, normal)).toMatchObject({ kind: 'delivered' });
      expect(resolver.calls).toEqual(['push.test']);
      // The next connection resolves again and goes where that answer said, nowhere else.
      expect(await pushSender.send(target, stateChange, normal)).toEqual({
        kind: 'retry',
        reason: 'network error ECONNREFUSED',
      });
      expect(resolver.calls).toEqual(['push.test', 'push.test']);
      expect(service.connections).toBe(1);
      expect(service.pushes('phone')).toHaveLength(2);
    });

    it('refuses a name that turns internal on its next resolution, without connecting (DNS rebinding)', async () => {
      const phone = service.subscription('phone');
      // Not listed: 127.0.0.1 stands in for an internal address here, refused on both answers' connections.
      const resolver = tableResolver({ 'rebind.test': [[v6('::ffff:127.0.0.1')], [v4('127.0.0.1')]] });
      const pushSender = sender({ resolver });
      const target = { url: urlOn('rebind.test', phone), keys: null };
      expect(await pushSender.send(target, stateChange, normal)).toMatchObject({ kind: 'refused' });
      expect(await pushSender.send(target, stateChange, normal)).toMatchObject({ kind: 'refused' });
      expect(resolver.calls).toEqual(['rebind.test', 'rebind.test']);
      expect(service.connections).toBe(0);
    });

    it('retries, as a timeout, a resolver that does not answer within requestTimeoutMs', async () => {
      const phone = service.subscription('phone');
      const hanging: PushHostResolver = () => new Promise(() => undefined);
      const outcome = await sender({ resolver: hanging, requestTimeoutMs: 200 }).send(
        { url: urlOn('slow-dns.test', phone), keys: null },
        stateChange,
        normal,
      );
      expect(outcome).toEqual({ kind: 'retry', reason: 'timeout' });
      expect(service.connections).toBe(0);
    });

    it('retries a name that does not resolve (a DNS failure may pass)', async () => {
      const phone = service.subscription('phone');
      const outcome = await sender().send({ url: urlOn('nowhere.test', phone), keys: null }, stateChange, normal);
      expect(outcome).toEqual({ kind: 'retry', reason: 'network error ENOTFOUND' });
    });
  });

  it('resolves the pushes in flight before close() returns', async () => {
    const phone = service.subscription('phone');
    service.answer('phone', { status: 201, delayMs: 200 });
    const pushSender = sender();
    const outcome = pushSender.send(encryptedTarget(phone), stateChange, normal);
    await service.nextPush('phone');
    await pushSender.close();
    expect(await outcome).toEqual({ kind: 'delivered', status: 201 });
  });
});

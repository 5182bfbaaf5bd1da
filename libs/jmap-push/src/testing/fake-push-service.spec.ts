import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as webPush from 'web-push';
import { FakePushService, type FakePushSubscription } from './fake-push-service';
import * as rfc8291 from './rfc8291-decrypt';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-push-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('FakePushService (RFC 8030, RFC 8291, RFC 8292) over real HTTPS', () => {
  const vapidKeys = webPush.generateVAPIDKeys();
  let tls: { key: string; cert: string };
  let service: FakePushService;

  beforeAll(() => {
    tls = selfSignedCertificate();
  });
  beforeEach(async () => {
    service = await FakePushService.start(tls);
  });
  afterEach(async () => {
    await service.close();
  });

  function post(url: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      // The test's CA is trusted for this request only, as a host's own client would be configured.
      const req = request(url, { method: 'POST', headers, ca: tls.cert }, (res) => {
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A request as the `web-push` package builds it: aes128gcm body and VAPID headers. */
  function webPushRequest(subscription: FakePushSubscription, payload: string): Promise<Answer> {
    const details = webPush.generateRequestDetails(subscription, payload, {
      TTL: 60,
      contentEncoding: 'aes128gcm',
      vapidDetails: {
        subject: 'mailto:ops@example.com',
        publicKey: vapidKeys.publicKey,
        privateKey: vapidKeys.privateKey,
      },
      topic: 'jmapstate',
      urgency: 'high',
    });
    return post(details.endpoint, details.headers, details.body);
  }

  it('decrypts a web-push payload, verifies its VAPID token and answers 201 with a Location', async () => {
    const phone = service.subscription('phone');
    const payload = JSON.stringify({ '@type': 'StateChange', changed: { a1: { Email: 's2' } } });
    const answer = await webPushRequest(phone, payload);
    const push = await service.nextPush('phone');
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/message\//);
    expect(push.payload?.toString('utf8')).toBe(payload);
    expect(push.vapid).toEqual({
      valid: true,
      publicKey: vapidKeys.publicKey,
      claims: expect.objectContaining({ aud: service.origin, sub: 'mailto:ops@example.com' }),
    });
    expect(push.headers).toMatchObject({ ttl: '60', topic: 'jmapstate', urgency: 'high' });
  });

  it('gives each subscription its own P-256 key and 16-octet auth secret (RFC 8291 §2)', () => {
    const a = service.subscription('a');
    const b = service.subscription('b');
    expect(Buffer.from(a.keys.p256dh, 'base64url')).toHaveLength(65);
    expect(Buffer.from(a.keys.auth, 'base64url')).toHaveLength(16);
    expect(a.keys.p256dh).not.toBe(b.keys.p256dh);
    expect(a.endpoint).not.toBe(b.endpoint);
  });

  it('answers as scripted, in order, then 201: 429 with Retry-After, 410, 500', async () => {
    const phone = service.subscription('phone');
    service.answer('phone', { status: 429, retryAfter: 7 }, { status: 410 }, { status: 500 });
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await webPushRequest(phone, `push ${i}`));
    expect(answers.map((answer) => answer.status)).toEqual([429, 410, 500, 201]);
    expect(answers[0]?.headers['retry-after']).toBe('7');
    expect(service.pushes('phone').map((push) => push.payload?.toString())).toEqual([
      'push 0',
      'push 1',
      'push 2',
      'push 3',
    ]);
  });

  it('decrypts a push once, when its payload is first read, so recording stays cheap under load', async () => {
    const phone = service.subscription('phone');
    const decrypt = jest.spyOn(rfc8291, 'decryptAes128gcm');
    try {
      await webPushRequest(phone, 'lazy');
      const push = await service.nextPush('phone');
      expect(decrypt).not.toHaveBeenCalled();
      expect(push.payload?.toString('utf8')).toBe('lazy');
      expect(push.decryptError).toBeUndefined();
      expect(push.payload?.toString('utf8')).toBe('lazy');
      expect(decrypt).toHaveBeenCalledTimes(1);
    } finally {
      decrypt.mockRestore();
    }
  });

  it('judges a VAPID token read later as of the push’s arrival', async () => {
    const phone = service.subscription('phone');
    // exp 1 s ahead: expired by the time the test reads it
    const details = webPush.generateRequestDetails(phone, 'soon expired', {
      TTL: 60,
      contentEncoding: 'aes128gcm',
      vapidDetails: {
        subject: 'mailto:ops@example.com',
        publicKey: vapidKeys.publicKey,
        privateKey: vapidKeys.privateKey,
      },
    });
    const exp = Math.floor(Date.now() / 1000) + 1;
    const { Authorization } = webPush.getVapidHeaders(
      service.origin,
      'mailto:ops@example.com',
      vapidKeys.publicKey,
      vapidKeys.privateKey,
      'aes128gcm',
      exp,
    );
    await post(details.endpoint, { ...details.headers, Authorization }, details.body);
    const push = await service.nextPush('phone');
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 200));
    expect(push.vapid).toMatchObject({ valid: true, claims: { exp } });
  });

  it('answers every unscripted request of every subscription as set by answerUnscripted until it is ended', async () => {
    const phone = service.subscription('phone');
    const tablet = service.subscription('tablet');
    service.answerUnscripted({ status: 429, retryAfter: 5 });
    // A subscription's own script still comes first.
    service.answer('tablet', { status: 500 });
    const during = [
      await webPushRequest(phone, 'a'),
      await webPushRequest(phone, 'b'),
      await webPushRequest(tablet, 'c'),
      await webPushRequest(tablet, 'd'),
    ];
    expect(during.map((answer) => answer.status)).toEqual([429, 429, 500, 429]);
    expect(during[0]?.headers['retry-after']).toBe('5');
    service.answerUnscripted(undefined);
    const after = [await webPushRequest(phone, 'e'), await webPushRequest(tablet, 'f')];
    expect(after.map((answer) => answer.status)).toEqual([201, 201]);
    expect(after[0]?.headers['retry-after']).toBeUndefined();
    expect(service.pushes('phone').map((push) => push.status)).toEqual([429, 429, 201]);
  });

  it('records a slow answer at once and holds the response for its delay', async () => {
    const phone = service.subscription('phone');
    service.answer('phone', { status: 201, delayMs: 400 });
    let answeredAt: number | undefined;
    const answer = webPushRequest(phone, 'slow').then((result) => {
      answeredAt = Date.now();
      return result;
    });
    const push = await service.nextPush('phone');
    expect(push.payload?.toString()).toBe('slow');
    expect(answeredAt).toBeUndefined();
    expect((await answer).status).toBe(201);
    // A lower bound only: the answer cannot come before its delay (timers may fire a millisecond early).
    expect((answeredAt ?? 0) - push.receivedAt).toBeGreaterThanOrEqual(395);
  });

  it('records a plaintext body as its payload and an absent VAPID header as invalid', async () => {
    const relay = service.subscription('relay');
    const body = '{"@type":"PushVerification","pushSubscriptionId":"p1","verificationCode":"c"}';
    const answer = await post(relay.endpoint, { TTL: '0', 'Content-Type': 'application/json' }, body);
    const push = await service.nextPush('relay');
    expect(answer.status).toBe(201);
    expect(push.payload?.toString()).toBe(body);
    expect(push.vapid).toEqual({ valid: false, reason: 'no Authorization header' });
  });

  it('records why an aes128gcm body does not decrypt (keys of another subscription)', async () => {
    const phone = service.subscription('phone');
    const other = service.subscription('other');
    const details = webPush.generateRequestDetails({ ...phone, keys: other.keys }, 'secret', {
      TTL: 60,
      contentEncoding: 'aes128gcm',
    });
    await post(phone.endpoint, details.headers, details.body);
    const push = await service.nextPush('phone');
    expect(push.payload).toBeUndefined();
    expect(push.decryptError).toEqual(expect.any(String));
  });

  it('refuses what RFC 8030 says a push service refuses: no TTL (400), over 4096 octets (413), unknown URL (404)', async () => {
    const phone = service.subscription('phone');
    expect((await post(phone.endpoint, {}, 'x')).status).toBe(400);
    expect((await post(phone.endpoint, { TTL: '60' }, Buffer.alloc(4097))).status).toBe(413);
    expect((await post(phone.endpoint, { TTL: '60' }, Buffer.alloc(4096))).status).toBe(201);
    expect((await post(`${service.origin}/push/unknown`, { TTL: '60' }, 'x')).status).toBe(404);
    expect(service.pushes('phone').map((push) => push.status)).toEqual([400, 413, 201]);
  });

  describe('restricted subscriptions (RFC 8292 §4)', () => {
    function signedRequest(
      subscription: FakePushSubscription,
      keys: { publicKey: string; privateKey: string } | undefined,
    ): Promise<Answer> {
      const details = webPush.generateRequestDetails(subscription, 'restricted', {
        TTL: 60,
        contentEncoding: 'aes128gcm',
        ...(keys === undefined
          ? {}
          : {
              vapidDetails: {
                subject: 'mailto:ops@example.com',
                publicKey: keys.publicKey,
                privateKey: keys.privateKey,
              },
            }),
      });
      return post(details.endpoint, details.headers, details.body);
    }

    it('takes a push with a valid token signed by the subscription’s applicationServerKey', async () => {
      const phone = service.subscription('phone', { applicationServerKey: vapidKeys.publicKey });
      expect((await signedRequest(phone, vapidKeys)).status).toBe(201);
      const push = await service.nextPush('phone');
      expect(push.status).toBe(201);
      expect(push.payload?.toString()).toBe('restricted');
    });

    it('answers 403 to, and records, a push without VAPID, one signed by another key, or one with a bad token', async () => {
      const phone = service.subscription('phone', { applicationServerKey: vapidKeys.publicKey });
      expect((await signedRequest(phone, undefined)).status).toBe(403);
      expect((await signedRequest(phone, webPush.generateVAPIDKeys())).status).toBe(403);
      // The right k, but a token for another audience (RFC 8292 §4.2: the aud must be the origin).
      const wrongAudience = webPush.getVapidHeaders(
        'https://elsewhere.example',
        'mailto:ops@example.com',
        vapidKeys.publicKey,
        vapidKeys.privateKey,
        'aes128gcm',
      );
      expect((await post(phone.endpoint, { TTL: '60', ...wrongAudience }, 'x')).status).toBe(403);
      const pushes = service.pushes('phone');
      expect(pushes.map((push) => push.status)).toEqual([403, 403, 403]);
      expect(pushes.map((push) => push.vapid.valid)).toEqual([false, true, false]);
    });

    it('leaves an unrestricted subscription taking pushes without VAPID', async () => {
      const open = service.subscription('open');
      expect((await signedRequest(open, undefined)).status).toBe(201);
    });

    it('refuses an applicationServerKey that is not a P-256 public key', () => {
      expect(() => service.subscription('bad', { applicationServerKey: 'AAAA' })).toThrow(/P-256/);
    });
  });

  it('counts the TLS connections it accepted', async () => {
    const phone = service.subscription('phone');
    const once = (): Promise<void> =>
      new Promise((resolve, reject) => {
        // agent: false, a connection of its own per request.
        const req = request(
          phone.endpoint,
          { method: 'POST', headers: { TTL: '0' }, ca: tls.cert, agent: false },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end('x');
      });
    expect(service.connections).toBe(0);
    await once();
    await once();
    expect(service.connections).toBe(2);
  });

  it('sends a scripted Location and body', async () => {
    const phone = service.subscription('phone');
    service.answer('phone', { status: 301, location: 'https://127.0.0.1:1/elsewhere', body: 'moved' });
    const answer = await webPushRequest(phone, 'x');
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe('https://127.0.0.1:1/elsewhere');
  });

  it('rejects nextPush when no push arrives in time, naming the subscription', async () => {
    service.subscription('idle');
    await expect(service.nextPush('idle', 50)).rejects.toThrow(/no push for idle/);
  });

  it('closes while a slow answer is pending', async () => {
    const phone = service.subscription('phone');
    service.answer('phone', { status: 201, delayMs: 60_000 });
    const answer = webPushRequest(phone, 'never answered').catch((error: unknown) => error);
    await service.nextPush('phone');
    await service.close();
    // The connection is cut rather than left to answer after the service is gone.
    expect(await answer).toMatchObject({ code: 'ECONNRESET' });
    service = await FakePushService.start(tls);
  });
});

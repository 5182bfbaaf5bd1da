import { createECDH, randomBytes } from 'node:crypto';
import { readPushKeys, samePushKeys } from './push-keys';
import { deviceKeys } from './push-subscription-methods.fixture';

/** A point on P-256 with `y` changed: off the curve (RFC 8291 needs a point on it). */
function offCurve(p256dh: string): string {
  const point = Buffer.from(p256dh, 'base64url');
  point[64] ^= 0x01;
  return point.toString('base64url');
}

function isRefused(keys: unknown): boolean {
  return 'invalid' in readPushKeys(keys);
}

describe('readPushKeys (RFC 8620 section 7.2, RFC 8291 section 3)', () => {
  it('takes the keys a browser gives, and null', () => {
    const keys = deviceKeys();
    expect(readPushKeys(keys)).toEqual({ keys });
    expect(readPushKeys(null)).toEqual({ keys: null });
  });

  it('takes padded base64url and keeps it unpadded, so one key has one spelling', () => {
    const keys = deviceKeys();
    const padded = { p256dh: `${keys.p256dh}=`, auth: `${keys.auth}==` };
    expect(Buffer.from(keys.p256dh, 'base64url')).toHaveLength(65);
    expect(readPushKeys(padded)).toEqual({ keys });
  });

  it('refuses a p256dh that is not on the curve, and agrees with ECDH on random points', () => {
    expect(isRefused({ ...deviceKeys(), p256dh: offCurve(deviceKeys().p256dh) })).toBe(true);
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    for (let i = 0; i < 200; i++) {
      const point = Buffer.concat([Buffer.from([0x04]), randomBytes(64)]);
      let ecdhAccepts = true;
      try {
        ecdh.computeSecret(point);
      } catch {
        ecdhAccepts = false;
      }
      const keys = { p256dh: point.toString('base64url'), auth: randomBytes(16).toString('base64url') };
      expect(isRefused(keys)).toBe(!ecdhAccepts);
    }
  });

  it('refuses a compressed point, a wrong prefix and wrong lengths', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    expect(isRefused({ p256dh: ecdh.getPublicKey(undefined, 'compressed').toString('base64url'), auth })).toBe(true);
    const point = ecdh.getPublicKey();
    expect(isRefused({ p256dh: Buffer.concat([point, Buffer.from([0])]).toString('base64url'), auth })).toBe(true);
    expect(isRefused({ p256dh: point.subarray(0, 64).toString('base64url'), auth })).toBe(true);
    const wrongPrefix = Buffer.from(point);
    wrongPrefix[0] = 0x05;
    expect(isRefused({ p256dh: wrongPrefix.toString('base64url'), auth })).toBe(true);
    expect(isRefused({ p256dh: '', auth })).toBe(true);
  });

  it('refuses an auth secret that is not exactly 16 octets', () => {
    const { p256dh } = deviceKeys();
    for (const octets of [0, 1, 15, 17, 32]) {
      expect(isRefused({ p256dh, auth: randomBytes(octets).toString('base64url') })).toBe(true);
    }
  });

  it('refuses characters outside URL-safe base64 rather than skipping them', () => {
    const keys = deviceKeys();
    // Standard base64 spells the same octets with + and /; Buffer would quietly drop a "!".
    expect(isRefused({ ...keys, auth: Buffer.from(keys.auth, 'base64url').toString('base64') + '+' })).toBe(true);
    expect(isRefused({ ...keys, auth: `${keys.auth.slice(0, 10)}!${keys.auth.slice(10)}` })).toBe(true);
    expect(isRefused({ ...keys, p256dh: ` ${keys.p256dh}` })).toBe(true);
    expect(isRefused({ ...keys, auth: `${keys.auth}===` })).toBe(true);
  });

  it('refuses anything but an object of exactly p256dh and auth strings', () => {
    const keys = deviceKeys();
    for (const value of [undefined, 'keys', 1, true, [], [keys.p256dh, keys.auth], {}, { p256dh: keys.p256dh }]) {
      expect(isRefused(value)).toBe(true);
    }
    expect(isRefused({ ...keys, extra: 'x' })).toBe(true);
    expect(isRefused({ p256dh: 1, auth: keys.auth })).toBe(true);
  });
});

describe('samePushKeys', () => {
  it('is true for the same keys and for two nulls, false otherwise', () => {
    const keys = deviceKeys();
    expect(samePushKeys(keys, { ...keys })).toBe(true);
    expect(samePushKeys(null, null)).toBe(true);
    expect(samePushKeys(keys, null)).toBe(false);
    expect(samePushKeys(null, keys)).toBe(false);
    expect(samePushKeys(keys, { ...keys, auth: deviceKeys().auth })).toBe(false);
    expect(samePushKeys(keys, { ...keys, p256dh: deviceKeys().p256dh })).toBe(false);
  });
});

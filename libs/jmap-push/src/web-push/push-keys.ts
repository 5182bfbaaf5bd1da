import { ECDH } from 'node:crypto';
import { constantTimeEquals } from '../auth/constant-time-equals';
import type { PushKeys } from './push-subscription';

/** RFC 8291 section 3.1: the user agent's key is an uncompressed P-256 point (0x04, x, y). */
const P256DH_OCTETS = 65;
/** RFC 8291 section 3.2: the authentication secret is 16 octets. */
const AUTH_OCTETS = 16;
/** The URL-safe alphabet of RFC 4648 section 5, with the padding some encoders add. */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** `keys` as `PushSubscription/set` read them: the keys (canonical base64url) or `null`, else why not. */
export type PushKeysReading = { readonly keys: PushKeys | null } | { readonly invalid: string };

/**
 * Reads the `keys` of a PushSubscription (RFC 8620 section 7.2): `null`, or exactly `p256dh` and
 * `auth` in URL-safe base64 (padding or not). `p256dh` must be a point on P-256 and `auth` 16 octets:
 * a bad key would otherwise surface only later, as every push failing to encrypt or to decrypt.
 * The keys are kept re-encoded without padding, so the sender and comparisons see one spelling.
 */
export function readPushKeys(value: unknown): PushKeysReading {
  if (value === null) return { keys: null };
  if (typeof value !== 'object' || Array.isArray(value)) return { invalid: 'keys must be an object or null' };
  const { p256dh, auth, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return { invalid: 'keys has members other than p256dh and auth' };
  const point = decodeBase64url(p256dh);
  if (!point || point.length !== P256DH_OCTETS || point[0] !== 0x04 || !isP256Point(point)) {
    return { invalid: 'keys.p256dh must be an uncompressed P-256 public key in URL-safe base64' };
  }
  const secret = decodeBase64url(auth);
  if (secret?.length !== AUTH_OCTETS) {
    return { invalid: 'keys.auth must be 16 octets in URL-safe base64' };
  }
  return { keys: { p256dh: point.toString('base64url'), auth: secret.toString('base64url') } };
}

/** Whether two readings of `keys` are the same keys; in constant time, as they are the device's secrets. */
export function samePushKeys(a: PushKeys | null, b: PushKeys | null): boolean {
  if (a === null || b === null) return a === b;
  // Both comparisons run whatever the first gives, so the time says nothing about which differs.
  const p256dh = constantTimeEquals(a.p256dh, b.p256dh);
  const auth = constantTimeEquals(a.auth, b.auth);
  return p256dh && auth;
}

function decodeBase64url(value: unknown): Buffer | undefined {
  // Buffer.from skips characters outside the alphabet; checking first keeps "a!b" from reading as "ab".
  if (typeof value !== 'string' || !BASE64URL.test(value)) return undefined;
  const bare = value.replace(/=+$/, '');
  // 4n+1 characters cannot come from any octets.
  if (bare.length % 4 === 1) return undefined;
  return Buffer.from(bare, 'base64url');
}

/**
 * Whether 65 octets are a point on P-256. OpenSSL's point decoding refuses coordinates outside the
 * field or off the curve, the same check ECDH makes before it computes a secret, without computing one.
 */
function isP256Point(point: Buffer): boolean {
  try {
    ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed');
    return true;
  } catch {
    return false;
  }
}

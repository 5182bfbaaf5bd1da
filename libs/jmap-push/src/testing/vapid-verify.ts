import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The claims of a VAPID JWT that RFC 8292 §2 gives meaning to. */
export interface VapidClaims {
  readonly aud: string;
  readonly exp: number;
  readonly sub?: string;
}

/** The outcome of checking one request's `Authorization: vapid` header. */
export type VapidCheck =
  | { readonly valid: true; readonly publicKey: string; readonly claims: VapidClaims }
  | { readonly valid: false; readonly reason: string };

// RFC 8292 §2: "An "exp" claim MUST NOT be more than 24 hours from the time of the request."
const MAX_LIFETIME_SECONDS = 24 * 60 * 60;
const P256_POINT_LENGTH = 65;

/**
 * Checks an `Authorization` header against RFC 8292: the `vapid` scheme with `t` (an ES256 JWT) and
 * `k` (the signer's uncompressed P-256 key, RFC 8292 §3), a signature made by `k`, `aud` equal to
 * the push resource's origin and `exp` in the future but at most 24 hours ahead.
 */
export function verifyVapid(authorization: string | undefined, origin: string, now = Date.now()): VapidCheck {
  if (authorization === undefined) return invalid('no Authorization header');
  const params = parseVapidParams(authorization);
  if (typeof params === 'string') return invalid(params);
  const { t: token, k: publicKey } = params;

  const key = importPublicKey(publicKey);
  if (key === undefined) return invalid('k is not an uncompressed P-256 public key');
  const parts = token.split('.');
  if (parts.length !== 3) return invalid('t is not a JWS compact serialization');
  const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string];

  const header = parseJsonObject(encodedHeader);
  if (header?.alg !== 'ES256') return invalid('the JWT header alg is not ES256 (RFC 8292 §2)');
  // JWS ES256 signatures are the raw 64-octet r || s (RFC 7518 §3.4), not DER.
  const signed = verify(
    'sha256',
    Buffer.from(`${encodedHeader}.${encodedClaims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!signed) return invalid('the JWT signature does not verify with k');

  const claims = parseJsonObject(encodedClaims);
  if (claims === undefined) return invalid('the JWT claims are not a JSON object');
  if (claims.aud !== origin) return invalid(`aud is ${JSON.stringify(claims.aud)}, not the origin ${origin}`);
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return invalid('exp is missing or not a number');
  const nowSeconds = now / 1000;
  if (exp <= nowSeconds) return invalid('exp is in the past');
  if (exp > nowSeconds + MAX_LIFETIME_SECONDS) return invalid('exp is more than 24 hours ahead');
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  return { valid: true, publicKey, claims: { aud: origin, exp, ...(sub === undefined ? {} : { sub }) } };
}

function invalid(reason: string): VapidCheck {
  return { valid: false, reason };
}

// RFC 8292 §3: `vapid t=<jwt>, k=<key>`; the scheme is case-insensitive (RFC 9110 §11.1) and the
// parameters are auth-params, which may be separated by optional whitespace and appear in any order.
function parseVapidParams(authorization: string): { t: string; k: string } | string {
  const match = /^\s*vapid\s+(.*)$/is.exec(authorization);
  if (match === null) return 'the Authorization scheme is not vapid';
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const param = /^\s*([A-Za-z]+)\s*=\s*"?([A-Za-z0-9_\-.=]+)"?\s*$/.exec(part);
    if (param === null) return `malformed vapid parameter ${JSON.stringify(part.trim())}`;
    const name = param[1].toLowerCase();
    if (params.has(name)) return `vapid parameter ${name} given twice`;
    params.set(name, param[2]);
  }
  const t = params.get('t');
  const k = params.get('k');
  if (t === undefined || k === undefined) return 'vapid needs both t and k (RFC 8292 §3)';
  return { t, k };
}

function importPublicKey(encoded: string): KeyObject | undefined {
  const point = Buffer.from(encoded, 'base64url');
  if (point.length !== P256_POINT_LENGTH || point[0] !== 0x04) return undefined;
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    // Not a point on the curve.
    return undefined;
  }
}

function parseJsonObject(encoded: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

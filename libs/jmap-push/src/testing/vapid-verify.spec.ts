import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { verifyVapid } from './vapid-verify';

const ORIGIN = 'https://push.example.net';
const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
const nowSeconds = NOW / 1000;

function keyPair(): { privateKey: KeyObject; k: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x as string, 'base64url'),
    Buffer.from(jwk.y as string, 'base64url'),
  ]);
  return { privateKey, k: point.toString('base64url') };
}

/** Signs a JWT the way an application server does (RFC 8292 §2, JWS ES256 in P1363 form). */
function jwt(privateKey: KeyObject, claims: object, header: object = { typ: 'JWT', alg: 'ES256' }): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const signer = keyPair();
const goodClaims = { aud: ORIGIN, exp: nowSeconds + 12 * 3600, sub: 'mailto:ops@example.com' };
const header = (token: string, k = signer.k): string => `vapid t=${token}, k=${k}`;

describe('verifyVapid (RFC 8292)', () => {
  it('accepts a valid token and reports its claims and key (RFC 8292 §2, §3)', () => {
    expect(verifyVapid(header(jwt(signer.privateKey, goodClaims)), ORIGIN, NOW)).toEqual({
      valid: true,
      publicKey: signer.k,
      claims: goodClaims,
    });
  });

  it('accepts the scheme in any case and the parameters in any order', () => {
    const token = jwt(signer.privateKey, goodClaims);
    expect(verifyVapid(`VAPID k=${signer.k},t=${token}`, ORIGIN, NOW).valid).toBe(true);
  });

  it.each([
    ['no header', undefined, /no Authorization/],
    ['another scheme', 'WebPush abc', /not vapid/],
    ['no k', 'vapid t=a.b.c', /both t and k/],
    ['a repeated parameter', 'vapid t=a.b.c, t=a.b.c, k=x', /twice/],
    ['a k that is not a point', 'vapid t=a.b.c, k=AAAA', /P-256/],
  ])('refuses %s', (_name, value, reason) => {
    const check = verifyVapid(value, ORIGIN, NOW);
    expect(check).toEqual({ valid: false, reason: expect.stringMatching(reason) });
  });

  it('refuses a token signed by a key other than k', () => {
    const other = keyPair();
    const check = verifyVapid(header(jwt(other.privateKey, goodClaims)), ORIGIN, NOW);
    expect(check).toEqual({ valid: false, reason: expect.stringMatching(/signature/) });
  });

  it('refuses claims altered after signing', () => {
    const [h, , s] = jwt(signer.privateKey, goodClaims).split('.');
    const forged = Buffer.from(JSON.stringify({ ...goodClaims, aud: 'https://other.example' })).toString('base64url');
    expect(verifyVapid(header(`${h}.${forged}.${s}`), ORIGIN, NOW).valid).toBe(false);
  });

  it('refuses an alg other than ES256 (RFC 8292 §2)', () => {
    const token = jwt(signer.privateKey, goodClaims, { typ: 'JWT', alg: 'none' });
    expect(verifyVapid(header(token), ORIGIN, NOW)).toEqual({ valid: false, reason: expect.stringMatching(/ES256/) });
  });

  it.each([
    ['another origin', { ...goodClaims, aud: 'https://other.example' }, /aud/],
    ['the push resource URL instead of its origin', { ...goodClaims, aud: `${ORIGIN}/push/1` }, /aud/],
    ['no exp', { aud: ORIGIN }, /exp is missing/],
    ['an exp in the past', { ...goodClaims, exp: nowSeconds - 1 }, /past/],
    ['an exp more than 24 h ahead', { ...goodClaims, exp: nowSeconds + 24 * 3600 + 1 }, /24 hours/],
  ])('refuses a token with %s (RFC 8292 §2)', (_name, claims, reason) => {
    const check = verifyVapid(header(jwt(signer.privateKey, claims)), ORIGIN, NOW);
    expect(check).toEqual({ valid: false, reason: expect.stringMatching(reason) });
  });

  it('accepts an exp exactly 24 h ahead (the limit is inclusive)', () => {
    const claims = { ...goodClaims, exp: nowSeconds + 24 * 3600 };
    expect(verifyVapid(header(jwt(signer.privateKey, claims)), ORIGIN, NOW).valid).toBe(true);
  });
});

import { SessionCookieCodec } from './session-cookie.codec';

const SECRET = 'a-test-secret-of-at-least-thirty-two-chars';
const BOB = { id: 'bob', accountIds: ['acc-bob', 'acc-alice'] };

describe('SessionCookieCodec', () => {
  let now = 1_000_000;
  const codec = () => new SessionCookieCodec(SECRET, 60, () => now * 1000);

  it('verifies what it minted, as the same principal', () => {
    const c = codec();
    expect(c.verify(c.mint(BOB).value)).toEqual(BOB);
  });

  it('refuses a value once it expired', () => {
    const c = codec();
    const { value } = c.mint(BOB);
    now += 59;
    expect(c.verify(value)).toEqual(BOB);
    now += 1;
    expect(c.verify(value)).toBeUndefined();
  });

  it('refuses a value after sign-out, and only that one', () => {
    const c = codec();
    const first = c.mint(BOB).value;
    const second = c.mint(BOB).value;
    c.revoke(first);
    expect(c.verify(first)).toBeUndefined();
    expect(c.verify(second)).toEqual(BOB);
  });

  it('refuses tampered payloads, signatures and values signed with another secret', () => {
    const c = codec();
    const { value } = c.mint(BOB);
    const [payload, signature] = value.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, acc: ['acc-carol'] })).toString('base64url');
    expect(c.verify(`${forged}.${signature}`)).toBeUndefined();
    expect(c.verify(`${payload}.${signature.slice(0, -2)}AA`)).toBeUndefined();
    expect(c.verify(payload)).toBeUndefined();
    expect(c.verify('')).toBeUndefined();
    expect(c.verify('x'.repeat(10_000))).toBeUndefined();
    const other = new SessionCookieCodec(`${SECRET}-other`, 60, () => now * 1000);
    expect(other.verify(value)).toBeUndefined();
  });

  it('refuses a correctly signed payload that is not a session', () => {
    const c = codec();
    const sign = (payload: string) => `${payload}.${(c as unknown as { sign(p: string): string }).sign(payload)}`;
    expect(c.verify(sign(Buffer.from('not json').toString('base64url')))).toBeUndefined();
    expect(
      c.verify(sign(Buffer.from('{"sub":1,"acc":[],"exp":1e12,"jti":"x"}').toString('base64url'))),
    ).toBeUndefined();
  });
});

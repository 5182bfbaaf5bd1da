import { isJmapId, newPushSubscriptionId } from './push-subscription-id';
import { isVerificationCode, newVerificationCode } from './verification-code';

describe('verification codes (RFC 8620 section 7.2.2: "sufficient entropy")', () => {
  it('are 256 random bits in base64url, each different', () => {
    const codes = new Set(Array.from({ length: 1_000 }, () => newVerificationCode()));
    expect(codes.size).toBe(1_000);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(code, 'base64url')).toHaveLength(32);
    }
  });

  it('match only themselves', () => {
    const code = newVerificationCode();
    expect(isVerificationCode(code, code)).toBe(true);
    expect(isVerificationCode(code, `${code}x`)).toBe(false);
    expect(isVerificationCode(code, code.slice(0, -1))).toBe(false);
    expect(isVerificationCode(code, '')).toBe(false);
  });
});

describe('push subscription ids (RFC 8620 section 1.2)', () => {
  it('are JMAP Ids that do not start with a dash, each different', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newPushSubscriptionId()));
    expect(ids.size).toBe(1_000);
    for (const id of ids) {
      expect(isJmapId(id)).toBe(true);
      expect(id).toMatch(/^P[A-Za-z0-9_-]{22}$/);
    }
  });

  it('isJmapId takes 1 to 255 URL-safe base64 characters only', () => {
    expect(isJmapId('a')).toBe(true);
    expect(isJmapId('a'.repeat(255))).toBe(true);
    for (const value of ['', 'a'.repeat(256), 'a b', 'a/b', 'a=', '#creation', 1, null]) {
      expect(isJmapId(value)).toBe(false);
    }
  });
});

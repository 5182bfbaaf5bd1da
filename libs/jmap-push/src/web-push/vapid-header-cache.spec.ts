import * as webPush from 'web-push';
import { verifyVapid } from '../testing/vapid-verify';
import { VapidHeaderCache } from './vapid-header-cache';

describe('VapidHeaderCache (RFC 8292)', () => {
  const keys = webPush.generateVAPIDKeys();
  const vapid = { ...keys, subject: 'mailto:ops@example.com' };
  const HOUR = 3_600_000;
  // web-push checks `exp` against the real clock, so the test clock starts at it and moves ahead of it.
  const start = Date.now();
  let clock = start;
  const now = (): number => clock;

  beforeEach(() => {
    clock = start;
  });

  it('signs a token for the origin (aud), 12 hours ahead (exp at most 24 h), with the contact (sub) and k', () => {
    const header = new VapidHeaderCache(vapid, { now }).authorization('https://push.example.net');
    expect(header).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const check = verifyVapid(header, 'https://push.example.net', clock);
    expect(check).toEqual({
      valid: true,
      publicKey: keys.publicKey,
      claims: {
        aud: 'https://push.example.net',
        exp: Math.floor(clock / 1000) + 12 * 3600,
        sub: 'mailto:ops@example.com',
      },
    });
    expect(verifyVapid(header, 'https://other.example.net', clock)).toMatchObject({ valid: false });
  });

  it('reuses one origin’s header until an hour before it expires, then signs a new one', () => {
    const cache = new VapidHeaderCache(vapid, { now });
    const first = cache.authorization('https://push.example.net');
    clock = start + 11 * HOUR - 1_000;
    expect(cache.authorization('https://push.example.net')).toBe(first);
    clock = start + 11 * HOUR + 1_000;
    const renewed = cache.authorization('https://push.example.net');
    expect(renewed).not.toBe(first);
    expect(verifyVapid(renewed, 'https://push.example.net', clock)).toMatchObject({ valid: true });
    // Never handed out a token that expires within the hour.
    expect(verifyVapid(first, 'https://push.example.net', start + 11 * HOUR)).toMatchObject({ valid: true });
  });

  it('keeps one header per origin', () => {
    const cache = new VapidHeaderCache(vapid, { now });
    const a = cache.authorization('https://a.example');
    const b = cache.authorization('https://b.example:8443');
    expect(a).not.toBe(b);
    expect(verifyVapid(b, 'https://b.example:8443', clock)).toMatchObject({ valid: true });
    expect(cache.authorization('https://a.example')).toBe(a);
  });

  it('holds at most maxOrigins, dropping the least recently used', () => {
    const cache = new VapidHeaderCache(vapid, { now, maxOrigins: 2 });
    const a = cache.authorization('https://a.example');
    clock += 1_000;
    const b = cache.authorization('https://b.example');
    clock += 1_000;
    expect(cache.authorization('https://a.example')).toBe(a);
    cache.authorization('https://c.example');
    clock += 1_000;
    // a was used after b, so b went.
    expect(cache.authorization('https://a.example')).toBe(a);
    expect(cache.authorization('https://b.example')).not.toBe(b);
  });
});

import { SessionRevocations } from './session-revocations';

describe('SessionRevocations', () => {
  let now = 1_000;
  const TTL = 100;
  const revocations = () => new SessionRevocations(() => now);

  beforeEach(() => {
    now = 1_000;
  });

  it('remembers a revoked session until it would have expired, and only that one', () => {
    const r = revocations();
    r.revoke('bob', 's1', now, now + TTL);
    expect(r.isRevoked('bob', 's1', now)).toBe(true);
    expect(r.isRevoked('bob', 's2', now)).toBe(false);
    expect(r.isRevoked('alice', 's1', now)).toBe(false);
    now += TTL + 1;
    r.revoke('carol', 'c1', now, now + TTL);
    expect(r.size).toBe(1);
  });

  it('holds a bounded number of entries for a user who signs in and out in a loop', () => {
    const r = revocations();
    for (let i = 0; i < 10_000; i++) {
      r.revoke('bob', `s${i}`, now, now + TTL);
      if (i % 100 === 0) now++;
    }
    const entry = (r as unknown as { byPrincipal: Map<string, { sessions: Map<string, unknown> }> }).byPrincipal.get(
      'bob',
    );
    expect(entry?.sessions.size).toBeLessThanOrEqual(16);
    // Every one of those sessions stays refused.
    for (const i of [0, 17, 5_000, 9_999]) expect(r.isRevoked('bob', `s${i}`, 1_000 + Math.floor(i / 100))).toBe(true);
    // A session minted after the last sign-out is not.
    expect(r.isRevoked('bob', 'fresh', now + 1)).toBe(false);
  });

  it('forgets principals whose revoked sessions have all expired, oldest first, without a full scan', () => {
    const r = revocations();
    for (let i = 0; i < 1_000; i++) r.revoke(`user${i}`, 's', now, now + TTL);
    expect(r.size).toBe(1_000);
    now += TTL;
    r.revoke('late', 's', now, now + TTL);
    expect(r.size).toBe(1);
  });
});

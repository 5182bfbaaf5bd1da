import { CreationRate } from './creation-rate';

const MINUTE = 60_000;

describe('CreationRate (RFC 8620 section 8.6: "The rate of creation MUST also be limited")', () => {
  it('allows `limit` creations per credential in any minute, then refuses until the oldest is a minute old', () => {
    const rate = new CreationRate(3);
    for (const at of [0, 10, 20]) {
      expect(rate.allows('c', at)).toBe(true);
      rate.record('c', at);
    }
    expect(rate.allows('c', 30)).toBe(false);
    expect(rate.allows('c', MINUTE - 1)).toBe(false);
    // A sliding minute: the creation at 0 leaves the window at 60 s, the one at 10 only at 60.01 s.
    expect(rate.allows('c', MINUTE)).toBe(true);
    rate.record('c', MINUTE);
    expect(rate.allows('c', MINUTE + 9)).toBe(false);
    expect(rate.allows('c', MINUTE + 10)).toBe(true);
  });

  it('counts each credential apart', () => {
    const rate = new CreationRate(1);
    rate.record('a', 0);
    expect(rate.allows('a', 1)).toBe(false);
    expect(rate.allows('b', 1)).toBe(true);
  });

  it('forgets credentials that created nothing for a minute: its memory follows recent activity only', () => {
    const rate = new CreationRate(5);
    for (let i = 0; i < 1_000; i++) rate.record(`credential-${i}`, i);
    expect(rate.size).toBe(1_000);
    rate.record('late', 1_000 + MINUTE);
    expect(rate.allows('late', 1_000 + MINUTE)).toBe(true);
    expect(rate.size).toBe(1);
  });

  it('holds at most `limit` times per credential, however many it records', () => {
    const rate = new CreationRate(2);
    for (let i = 0; i < 100; i++) rate.record('c', i);
    expect(rate.allows('c', 100)).toBe(false);
    // Only the latest two (98, 99) count: the window frees as soon as 98 is a minute old.
    expect(rate.allows('c', 98 + MINUTE - 1)).toBe(false);
    expect(rate.allows('c', 98 + MINUTE)).toBe(true);
  });
});

import { retryDelay } from './retry-delay';

describe('retryDelay', () => {
  const settings = { minRetryDelayMs: 1_000, maxRetryDelayMs: 60_000 };

  it('starts between the minimum and twice the minimum', () => {
    expect(retryDelay(0, undefined, settings, () => 0)).toBe(1_000);
    expect(retryDelay(0, undefined, settings, () => 0.5)).toBe(1_500);
    expect(retryDelay(0, undefined, settings, () => 0.999999)).toBe(1_999);
  });

  it('doubles its ceiling with each attempt (exponential backoff)', () => {
    const highest = (attempt: number): number => retryDelay(attempt, undefined, settings, () => 1);
    expect([0, 1, 2, 3, 4].map(highest)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('keeps the minimum as its floor at every attempt (full jitter above it)', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(retryDelay(attempt, undefined, settings, () => 0)).toBe(1_000);
    }
  });

  it('spreads the delays of pushes that failed together', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const delays = Array.from({ length: 200 }, () => retryDelay(3, undefined, settings, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(16_000);
    expect(new Set(delays).size).toBeGreaterThan(150);
  });

  it('caps the delay at maxRetryDelayMs, however many attempts', () => {
    expect(retryDelay(6, undefined, settings, () => 1)).toBe(60_000);
    expect(retryDelay(1_000, undefined, settings, () => 1)).toBe(60_000);
    expect(retryDelay(Number.MAX_SAFE_INTEGER, undefined, settings, () => 0.5)).toBe(30_500);
  });

  it('waits at least what Retry-After asks (RFC 8620 section 7.2: a 429 MUST reduce the frequency)', () => {
    expect(retryDelay(0, 30_000, settings, () => 0)).toBe(30_000);
    expect(retryDelay(0, 30_000, settings, () => 1)).toBe(30_000);
    // A Retry-After shorter than the backoff changes nothing.
    expect(retryDelay(4, 10, settings, () => 1)).toBe(32_000);
  });

  it('cuts a Retry-After beyond maxRetryDelayMs to it', () => {
    expect(retryDelay(0, 86_400_000, settings, () => 0)).toBe(60_000);
  });

  it('treats a nonsensical attempt or random value as the first attempt or the edge', () => {
    expect(retryDelay(-3, undefined, settings, () => 1)).toBe(2_000);
    expect(retryDelay(Number.NaN, undefined, settings, () => 1)).toBe(2_000);
    expect(retryDelay(0, undefined, settings, () => Number.NaN)).toBe(1_000);
    expect(retryDelay(0, undefined, settings, () => 7)).toBe(2_000);
    expect(retryDelay(0, Number.NaN, settings, () => 0)).toBe(1_000);
  });

  it('never goes below the minimum nor above the maximum when they are equal', () => {
    const fixed = { minRetryDelayMs: 5_000, maxRetryDelayMs: 5_000 };
    expect(retryDelay(0, undefined, fixed, () => 0.3)).toBe(5_000);
    expect(retryDelay(9, 60_000, fixed, () => 0.3)).toBe(5_000);
  });
});

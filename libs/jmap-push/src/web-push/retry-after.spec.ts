import { parseRetryAfter } from './retry-after';

// RFC 9110 section 10.2.3: Retry-After = HTTP-date / delay-seconds.
describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);

  it.each<[string, number]>([
    ['0', 0],
    ['7', 7_000],
    ['120', 120_000],
    [' 30 ', 30_000],
    ['007', 7_000],
  ])('reads delay-seconds %j as %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each<[string, number]>([
    ['Thu, 15 Jan 2026 12:01:30 GMT', 90_000],
    ['Thursday, 15-Jan-26 12:00:10 GMT', 10_000],
    ['Thu Jan 15 12:00:05 2026', 5_000],
    ['Thu Jan  1 00:00:00 2026', 0],
  ])('reads the HTTP-date %j as %d ms from now (IMF-fixdate, RFC 850, asctime)', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it('reads a date in the past as no delay', () => {
    expect(parseRetryAfter('Wed, 14 Jan 2026 12:00:00 GMT', now)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['5', '9'], now)).toBe(5_000);
  });

  it('bounds a huge delay-seconds instead of overflowing', () => {
    expect(parseRetryAfter('9'.repeat(400), now)).toBe(2 ** 31 * 1_000);
  });

  it.each([
    undefined,
    '',
    '-5',
    '1.5',
    '5s',
    'soon',
    'tomorrow',
    '2026-01-15T12:01:00Z',
    'Thu, 15 Jan 2026 12:01:30 UTC',
    'Thu, 15 Jan 2026 12:01:30 +0000',
    'Thu, 31 Feb 2026 12:00:00 GMT',
    'Thu, 15 Foo 2026 12:00:00 GMT',
    'Thu, 15 Jan 2026 25:00:00 GMT',
  ])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

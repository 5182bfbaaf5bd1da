import { formatUtcDate, parseUtcDate } from './utc-date';

describe('UTCDate (RFC 8620 section 1.4)', () => {
  it('parses a UTCDate, with or without a fraction', () => {
    expect(parseUtcDate('2014-10-30T06:12:00Z')).toBe(Date.UTC(2014, 9, 30, 6, 12, 0));
    expect(parseUtcDate('2014-10-30T06:12:00.5Z')).toBe(Date.UTC(2014, 9, 30, 6, 12, 0, 500));
    expect(parseUtcDate('2014-10-30T06:12:00.123456Z')).toBe(Date.UTC(2014, 9, 30, 6, 12, 0, 123));
    expect(parseUtcDate('2014-10-30T06:12:00.57Z')).toBe(Date.UTC(2014, 9, 30, 6, 12, 0, 570));
  });

  it('accepts what Date.toISOString() writes, and lower-case letters', () => {
    expect(parseUtcDate('2014-10-30T06:12:00.000Z')).toBe(Date.UTC(2014, 9, 30, 6, 12, 0));
    expect(parseUtcDate('2014-10-30t06:12:00z')).toBe(Date.UTC(2014, 9, 30, 6, 12, 0));
  });

  it.each([
    '2014-10-30T06:12:00+01:00',
    '2014-10-30T06:12:00',
    '2014-10-30 06:12:00Z',
    '2014-10-30',
    '2014-02-30T00:00:00Z',
    '2014-13-01T00:00:00Z',
    '2014-10-30T24:00:00Z',
    '2014-10-30T23:60:00Z',
    '2014-10-30T23:59:60Z',
    '1969-12-31T23:59:59Z',
    '+002014-10-30T06:12:00Z',
    '2014-10-30T06:12:00.Z',
    ' 2014-10-30T06:12:00Z',
    '',
  ])('refuses %p', (text) => {
    expect(parseUtcDate(text)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 1_414_649_520_000, {}, ['2014-10-30T06:12:00Z']]) {
      expect(parseUtcDate(value)).toBeUndefined();
    }
  });

  it('writes a fraction only when it is not zero, and reads back what it wrote', () => {
    expect(formatUtcDate(Date.UTC(2014, 9, 30, 6, 12, 0))).toBe('2014-10-30T06:12:00Z');
    expect(formatUtcDate(Date.UTC(2014, 9, 30, 6, 12, 0, 250))).toBe('2014-10-30T06:12:00.250Z');
    const time = Date.UTC(2031, 0, 2, 3, 4, 5, 6);
    expect(parseUtcDate(formatUtcDate(time))).toBe(time);
  });
});

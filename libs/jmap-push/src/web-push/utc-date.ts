/** RFC 8620 section 1.4 UTCDate: RFC 3339 `date-time` in UTC, `T` and `Z` upper case, a fraction when not zero. */
const UTC_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/i;

/**
 * The epoch milliseconds of a UTCDate, `undefined` when it is not one. Lower-case letters and a zero
 * fraction (`.000Z`, as `Date.toISOString()` writes) are accepted: they name the time unambiguously.
 * Calendar fields are checked, since `Date.parse` rolls `02-30` over into March.
 */
export function parseUtcDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = UTC_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(time);
  if (
    year < 1970 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  // Milliseconds are all a Date holds; finer fractions are cut, never rounded up past the client's time.
  const fraction = match[7] ? Number(`${match[7].slice(1)}00`.slice(0, 3)) : 0;
  return time + fraction;
}

/** The UTCDate of epoch milliseconds: `2024-05-01T10:00:00Z`, a fraction only when it is not zero. */
export function formatUtcDate(time: number): string {
  return new Date(time).toISOString().replace(/\.000Z$/, 'Z');
}

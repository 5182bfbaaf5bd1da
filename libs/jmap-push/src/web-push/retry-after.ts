// RFC 9110 section 5.6.7: the three HTTP-date forms a recipient must accept. Only IMF-fixdate may be
// sent, but a push service behind an old proxy may still send the obsolete two.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
// Longer than any backoff is capped at anyway; keeps a huge delta-seconds from overflowing into nonsense.
const MAX_DELAY_MS = 2 ** 31 * 1_000;

/**
 * The delay a `Retry-After` header asks for, in milliseconds from `now` (RFC 9110 section 10.2.3):
 * delta-seconds or an HTTP-date, a date in the past being 0. `undefined` when the header is absent or
 * is neither (it is then ignored, as RFC 9110 lets a recipient do with an invalid field).
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now = Date.now()): number | undefined {
  // A repeated Retry-After is invalid; the first is as good a reading as any.
  const text = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1_000, MAX_DELAY_MS);
  const at = parseHttpDate(text, now);
  if (at === undefined) return undefined;
  return Math.min(Math.max(0, at - now), MAX_DELAY_MS);
}

/** An HTTP-date (RFC 9110 section 5.6.7) as epoch milliseconds; `undefined` when it is not one. */
function parseHttpDate(text: string, now: number): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match !== null) {
    const [, day, month, year, hour, minute, second] = match;
    return utc(year, month, day, hour, minute, second);
  }
  match = RFC850_DATE.exec(text);
  if (match !== null) {
    const [, day, month, twoDigitYear, hour, minute, second] = match;
    // RFC 9110: a two-digit year more than 50 years in the future means the past century.
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(twoDigitYear);
    if (year > thisYear + 50) year -= 100;
    return utc(String(year), month, day, hour, minute, second);
  }
  match = ASCTIME_DATE.exec(text);
  if (match !== null) {
    const [, month, day, hour, minute, second, year] = match;
    return utc(year, month, day.trim(), hour, minute, second);
  }
  return undefined;
}

function utc(
  year: string,
  monthName: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
): number | undefined {
  const month = MONTHS.indexOf(monthName);
  const values = [Number(year), Number(day), Number(hour), Number(minute), Number(second)];
  const [y, d, h, m, s] = values as [number, number, number, number, number];
  if (month < 0 || d < 1 || h > 23 || m > 59 || s > 60) return undefined;
  const at = Date.UTC(y, month, d, h, m, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March; a date that does not exist is not a date.
  if (new Date(at).getUTCDate() !== d) return undefined;
  return at;
}

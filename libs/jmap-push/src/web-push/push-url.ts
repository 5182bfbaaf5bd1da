/** Spaces and control characters: the URL parser would quietly strip or drop them, so what is kept could differ. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f]/;

/**
 * Why `value` cannot be a PushSubscription `url`, or `undefined` when it can: RFC 8620 section 7.2
 * wants "an absolute URL ... [that] MUST begin with `https://`". It must parse (WHATWG URL), carry no
 * user name or password (they would be sent to the push service as credentials of ours), and be at most
 * `maxLength` characters. Where it may point is for the SSRF guard to decide when a push is sent.
 */
export function pushUrlProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'url must be a string';
  if (value.length > maxLength) return `url is longer than ${maxLength} characters`;
  if (!value.startsWith('https://')) return 'url must begin with https://';
  if (SPACE_OR_CONTROL.test(value)) return 'url must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url is not a valid absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'url must not contain a user name or password';
  return undefined;
}

/** What an `Authorization` header offers, before anyone has checked it. */
export type Credentials =
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string };

/** No real credential comes near this; longer headers are refused unread. */
const MAX_HEADER_LENGTH = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const SCHEMES = {
  /** RFC 7617: base64 of `user-id:password`, UTF-8. */
  basic: /^basic +((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?) *$/i,
  /** RFC 6750 section 2.1: `b64token`. */
  bearer: /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i,
};
// eslint-disable-next-line no-control-regex -- RFC 7617 forbids control characters in credentials: this finds them
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Reads RFC 7617 Basic and RFC 6750 Bearer credentials; `undefined` for a missing header, another
 * scheme, bad base64, bytes that are not UTF-8, no colon, or control characters.
 */
export function parseCredentials(header: string | undefined): Credentials | undefined {
  if (!header || header.length > MAX_HEADER_LENGTH) return undefined;
  const token = SCHEMES.bearer.exec(header)?.[1];
  if (token !== undefined) return { scheme: 'bearer', token };
  const encoded = SCHEMES.basic.exec(header)?.[1];
  if (!encoded) return undefined;
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0 || CONTROL.test(decoded)) return undefined;
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Credentials read off an `Authorization` header, before anyone has checked them. */
export type Credentials =
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string };

/** Longer headers are refused outright; no legitimate credential comes near it. */
const MAX_AUTHORIZATION_LENGTH = 4096;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 6750 section 2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses `Basic` (RFC 7617, UTF-8) and `Bearer` (RFC 6750) credentials; `undefined` for anything else:
 * a missing header, another scheme, bad base64, bytes that are not UTF-8, no colon, control characters.
 */
export function parseCredentials(header: string | undefined): Credentials | undefined {
  if (!header || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return B64TOKEN.test(value) ? { scheme, token: value } : undefined;
  if (scheme !== 'basic' || !BASE64.test(value) || value.length === 0) return undefined;
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  // RFC 7617 section 2: the user-id cannot contain a colon, and neither part control characters.
  // eslint-disable-next-line no-control-regex -- RFC 7617 forbids control characters in credentials: this finds them
  if (colon <= 0 || /[\x00-\x1f\x7f]/.test(decoded)) return undefined;
  return { scheme, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

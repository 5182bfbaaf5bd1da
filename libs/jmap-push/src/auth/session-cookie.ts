import type { IncomingMessage } from 'node:http';

/** The value of cookie `name` in the request's `Cookie` header, if any (RFC 6265 section 5.4 syntax). */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** A `Set-Cookie` value: `HttpOnly` always (no script may read a session), the rest as configured. */
export function serializeCookie(
  name: string,
  value: string,
  attributes: { maxAge: number; path: string; sameSite: string; secure: boolean },
): string {
  return [
    `${name}=${value}`,
    `Max-Age=${attributes.maxAge}`,
    `Path=${attributes.path}`,
    'HttpOnly',
    `SameSite=${attributes.sameSite}`,
    ...(attributes.secure ? ['Secure'] : []),
  ].join('; ');
}

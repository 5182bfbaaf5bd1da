const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads RFC 7617 Basic credentials (UTF-8); `undefined` for a missing header, another scheme, bad
 * base64, bytes that are not UTF-8, or no colon. Checking them is the directory's job.
 */
export function parseBasicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  if (!header || header.length > 4096) return undefined;
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(match[1], 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

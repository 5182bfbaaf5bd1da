import { ConfigError } from './config-error';

/**
 * `CORS_ORIGINS`: `https://app.example.org,http://localhost:5173`, the origins whose pages may send
 * credentials (cookies, cached Basic logins) across origins. Each must be a bare origin, as browsers send
 * it in `Origin`; `*` is refused, since credentials must never be granted to every site.
 */
export function parseCorsOrigins(raw: string | undefined): string[] {
  const origins: string[] = [];
  for (const entry of (raw ?? '').split(',')) {
    const text = entry.trim();
    if (!text) continue;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(`CORS_ORIGINS entry "${text}" must be an origin such as https://app.example.org`);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
      throw new ConfigError(`CORS_ORIGINS entry "${text}" must be an http(s) origin without a path`);
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

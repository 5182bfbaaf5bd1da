import type { HttpRequest } from '../http/express-types';
import type { ServerConfig } from '../config/server-config';

/**
 * The URL clients reach this server at: `PUBLIC_URL` when a proxy stands in front, otherwise the scheme
 * and Host of the request itself (so `npm start` on any port, and tests on port 0, just work).
 */
export function baseUrlOf(config: ServerConfig, request: HttpRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const host = request.get('host') ?? `${config.host}:${config.port}`;
  return `${request.protocol}://${host}`;
}

import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The resources web clients on other origins call: the Session, the API, upload and download, and the
 * event source (with its browser sign-in). The demo page and its files stay same-origin.
 */
const CORS_PATHS = /^\/(?:\.well-known\/jmap(?:[/?]|$)|jmap\/)/;
const ALLOW_METHODS = 'GET, POST, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, Last-Event-ID';
/** What a client needs to read off an answer: when to retry, and how to authenticate. */
const EXPOSE_HEADERS = 'Retry-After, WWW-Authenticate';
/** Seconds a browser may reuse a preflight answer (Chromium caps it at 7200). */
const MAX_AGE = '7200';

/**
 * CORS for every origin without credentials: an explicit `Authorization` header needs none, and `*`
 * never lets a browser attach cookies or a cached Basic login. Only the origins of `CORS_ORIGINS` are
 * named back, with `Access-Control-Allow-Credentials`; an arbitrary origin never is. Preflights are
 * answered here, before any guard, since browsers send them without credentials.
 */
export function corsMiddleware(credentialedOrigins: readonly string[]) {
  const trusted = new Set(credentialedOrigins);
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (!CORS_PATHS.test(request.url ?? '')) {
      next();
      return;
    }
    const origin = request.headers.origin;
    const credentialed = origin !== undefined && trusted.has(origin);
    // With trusted origins, the answer depends on `Origin`: caches must keep one per origin.
    if (trusted.size > 0) response.setHeader('Vary', 'Origin');
    response.setHeader('Access-Control-Allow-Origin', credentialed ? origin : '*');
    if (credentialed) response.setHeader('Access-Control-Allow-Credentials', 'true');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      response.statusCode = 204;
      response.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
      response.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      response.setHeader('Access-Control-Max-Age', MAX_AGE);
      response.end();
      return;
    }
    response.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    next();
  };
}

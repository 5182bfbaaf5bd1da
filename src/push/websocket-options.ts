import type { JmapRequestHandler, WebSocketOptions } from 'jmap-push';
import { CORE_LIMITS } from '../api/capabilities';
import type { ServerConfig } from '../config/server-config';

/** Where the server takes JMAP over WebSocket (RFC 8887), the same on every node. */
export const WEBSOCKET_PATH = 'jmap/ws';

/**
 * The module's `webSocket` option: Requests run through the API (`handler`) under the API's own
 * `maxSizeRequest` and `maxConcurrentRequests`. The pages that may open a socket with the session
 * cookie from another origin are those of `CORS_ORIGINS`, the ones trusted with credentials over HTTP;
 * `PUBLIC_URL` is the page's own origin even when a proxy rewrites `Host`. With neither, the module's
 * default holds: the server's own origin, and any origin whose handshake brings its own credentials.
 */
export function webSocketOptions(config: ServerConfig, handler: JmapRequestHandler): WebSocketOptions {
  const origins = [...config.corsOrigins];
  if (config.publicUrl) origins.push(new URL(config.publicUrl).origin);
  return {
    requestHandler: handler,
    path: WEBSOCKET_PATH,
    maxMessageBytes: CORE_LIMITS.maxSizeRequest,
    maxConcurrentRequests: CORE_LIMITS.maxConcurrentRequests,
    ...(origins.length > 0 && { allowedOrigins: origins }),
  };
}

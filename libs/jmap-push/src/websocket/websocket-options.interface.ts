import type { JmapRequestHandler } from './jmap-request-handler.interface';

/** JMAP over WebSocket (RFC 8887), with push: the `webSocket` module option. Off unless given. */
export interface WebSocketOptions {
  /** Runs the JMAP Requests that arrive on a socket: the host's method router. */
  requestHandler: JmapRequestHandler;
  /** Path of the endpoint, where HTTP upgrades are taken; default `jmap/ws`. */
  path?: string;
  /**
   * Origins (`https://app.example.org`) whose pages may open a socket. A handshake with an `Origin`
   * header that is neither the server's own nor listed is refused with 403; without this option only
   * handshakes authenticated by a browser session cookie are checked (against cross-site hijacking).
   */
  allowedOrigins?: readonly string[];
  /** Largest message a client may send, in bytes (the Session's `maxSizeRequest`); default 10,000,000. */
  maxMessageBytes?: number;
  /** Requests one socket may have running at once (`maxConcurrentRequests`); default 4. */
  maxConcurrentRequests?: number;
  /** Seconds between WebSocket pings that detect dead peers; default 30. */
  pingIntervalSeconds?: number;
}

/**
 * Sign-in for browsers' native `EventSource`, which cannot send an `Authorization` header: an
 * authenticated `POST {path}/session` sets a signed, `HttpOnly` cookie that the event source accepts.
 */
export interface BrowserSessionOptions {
  /** HMAC-SHA256 key, at least 32 characters; the same on every node behind one load balancer. */
  secret: string;
  /** Lifetime of a session cookie in seconds; default 8 hours. */
  ttlSeconds?: number;
  /** Default `jmap_push_session`. */
  cookieName?: string;
  /** Default `Strict`; `None` (which requires `secure`) for a web app on another site than the server. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Send the cookie over TLS only; default true. Only a development server on plain HTTP turns it off. */
  secure?: boolean;
  /** Cookie `Path`; default the event-source path. Set it when the app has a global route prefix. */
  cookiePath?: string;
}

import type { IncomingMessage } from 'node:http';

/** Whether the connection ends with this response: `Connection: close`, or HTTP/1.0 (no chunked bodies). */
export function closesConnection(request: IncomingMessage): boolean {
  if (request.httpVersionMajor === 1 && request.httpVersionMinor === 0) return true;
  const connection = request.headers.connection;
  return connection !== undefined && /(^|,)\s*close\s*(,|$)/i.test(connection);
}

/**
 * The head of every event stream, on both transports (and for HEAD): the caching rules of Nest's `@Sse`
 * with `Expires` spelt right, `no-transform` to keep compression middleware off the stream, nginx's
 * buffering off, and a `Connection` that tells the truth (RFC 9112 section 9.6).
 */
export function eventStreamHeaders(request: IncomingMessage): Record<string, string> {
  return {
    'Content-Type': 'text/event-stream',
    Connection: closesConnection(request) ? 'close' : 'keep-alive',
    'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    Pragma: 'no-cache',
    Expires: '0',
    'X-Accel-Buffering': 'no',
  };
}

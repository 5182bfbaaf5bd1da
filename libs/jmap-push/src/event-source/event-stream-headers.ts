import type { IncomingMessage, ServerResponse } from 'node:http';

/** Whether the connection ends with this response: `Connection: close`, or HTTP/1.0 (no chunked bodies). */
export function closesConnection(request: IncomingMessage): boolean {
  if (request.httpVersionMajor === 1 && request.httpVersionMinor === 0) return true;
  const connection = request.headers.connection;
  return connection !== undefined && /(^|,)\s*close\s*(,|$)/i.test(connection);
}

export type EventStreamHeaders = Readonly<Record<string, string>>;

function head(connection: 'close' | 'keep-alive', poweredBy: boolean): EventStreamHeaders {
  return Object.freeze({
    // First, where Express's own `setHeader` would have put it.
    ...(poweredBy && { 'X-Powered-By': 'Express' }),
    'Content-Type': 'text/event-stream',
    Connection: connection,
    'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    Pragma: 'no-cache',
    Expires: '0',
    'X-Accel-Buffering': 'no',
  });
}

/** Built once: every connect of the `direct` route takes one of them (Node only reads the object). */
const HEADS = {
  keepAlive: head('keep-alive', false),
  close: head('close', false),
  keepAlivePoweredBy: head('keep-alive', true),
  closePoweredBy: head('close', true),
} as const;

/**
 * The head of every event stream, on both transports (and for HEAD): the caching rules of Nest's `@Sse`
 * with `Expires` spelt right, `no-transform` to keep compression middleware off the stream, nginx's
 * buffering off, and a `Connection` that tells the truth (RFC 9112 section 9.6). A copy of its own: on
 * Nest's routes the host's middleware may have wrapped `writeHead`, and could change what it is given.
 */
export function eventStreamHeaders(request: IncomingMessage): Record<string, string> {
  return { ...sharedEventStreamHeaders(request, false) };
}

/**
 * The same head, shared and frozen, for the `direct` route that answers ahead of Express (`DirectRoute`),
 * where no middleware sees it: with Express's `X-Powered-By` when Express would have added it.
 */
export function sharedEventStreamHeaders(request: IncomingMessage, poweredBy: boolean): EventStreamHeaders {
  const close = closesConnection(request);
  if (poweredBy) return close ? HEADS.closePoweredBy : HEADS.keepAlivePoweredBy;
  return close ? HEADS.close : HEADS.keepAlive;
}

/**
 * Sends the response's head, then `writeFirst`'s frame, in one write to the socket. Node builds the head
 * string piece by piece; joined to a first frame written as a string it would stay a rope of some thirty
 * strings (about 1 KiB) for as long as the response lives. Flushed on its own, it is written as it is,
 * which flattens it, and the socket, corked meanwhile, still sends both at once.
 */
export function writeHeadWith(response: ServerResponse, writeFirst: () => void): void {
  const socket = response.socket;
  socket?.cork();
  response.flushHeaders();
  writeFirst();
  socket?.uncork();
}

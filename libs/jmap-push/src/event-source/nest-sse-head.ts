import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { eventStreamHeaders, writeHeadWith } from './event-stream-headers';

/** The headers Nest's `SseStream` adds that `eventStreamHeaders` replaces (`Expire` is its misspelling). */
const NEST_HEADERS = new Set(['content-type', 'connection', 'cache-control', 'pragma', 'expire', 'x-accel-buffering']);

/**
 * Makes Nest's `@Sse` send the same head and first bytes as the `direct` transport: its `writeHead` gets
 * `eventStreamHeaders` (the host's own headers stay), the lone `\n` it writes after the head is dropped (an
 * empty line dispatches nothing in SSE, so no client misses it), and its `flushHeaders` waits for the first
 * frame, which Nest writes in the same turn: head and frame leave in one write, as with `direct`. The
 * overrides live on this response only, and undo themselves at the first frame.
 */
export function alignNestSseHead(request: IncomingMessage, response: ServerResponse): void {
  // The response's own methods, which middleware (on-headers, compression) may have wrapped already: they
  // are called with the response as `this`, and put back after their one use.
  /* eslint-disable @typescript-eslint/unbound-method -- see above */
  const writeHead = response.writeHead;
  const write = response.write;
  const flushHeaders = response.flushHeaders;
  /* eslint-enable @typescript-eslint/unbound-method */
  response.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    response.writeHead = writeHead;
    const headers = eventStreamHeaders(request);
    // Nest passes one object: the response's own headers (`getHeaders()`, lower-cased) and then its own.
    // Those the response has already stay as they are, spelt as they were set.
    for (const arg of rest) {
      if (typeof arg !== 'object' || arg === null) continue;
      for (const name in arg) {
        if (NEST_HEADERS.has(name.toLowerCase()) || name in headers || this.hasHeader(name)) continue;
        headers[name] = (arg as OutgoingHttpHeaders)[name] as string;
      }
      break;
    }
    return writeHead.call(this, status, headers);
  };
  response.flushHeaders = function (this: ServerResponse) {
    response.flushHeaders = flushHeaders;
  };
  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (chunk === '\n') return true;
    response.write = write;
    response.flushHeaders = flushHeaders;
    let written = true;
    writeHeadWith(this, () => {
      written = (write as (this: ServerResponse, ...args: unknown[]) => boolean).call(this, chunk, ...rest);
    });
    return written;
  } as ServerResponse['write'];
}

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { eventStreamHeaders } from './event-stream-headers';

/** The headers Nest's `SseStream` adds that `eventStreamHeaders` replaces (`Expire` is its misspelling). */
const NEST_HEADERS = ['content-type', 'connection', 'cache-control', 'pragma', 'expire', 'x-accel-buffering'];

/**
 * Makes Nest's `@Sse` send the same head and first bytes as the `direct` transport: its `writeHead` gets
 * `eventStreamHeaders` (the host's own headers stay), and the lone `\n` it writes after the head is
 * dropped (an empty line dispatches nothing in SSE, so no client misses it). Both overrides live on this
 * response only, and each undoes itself after its one use.
 */
export function alignNestSseHead(request: IncomingMessage, response: ServerResponse): void {
  // The response's own methods, which middleware (on-headers, compression) may have wrapped already: they
  // are called with the response as `this`, and put back after their one use.
  /* eslint-disable @typescript-eslint/unbound-method -- see above */
  const writeHead = response.writeHead;
  const write = response.write;
  /* eslint-enable @typescript-eslint/unbound-method */
  response.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    response.writeHead = writeHead;
    const nest = (rest.find((arg) => typeof arg === 'object' && arg !== null) ?? {}) as OutgoingHttpHeaders;
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(nest)) {
      if (!NEST_HEADERS.includes(name.toLowerCase())) headers[name] = value;
    }
    return writeHead.call(this, status, { ...headers, ...eventStreamHeaders(request) });
  };
  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    response.write = write;
    if (chunk === '\n') return true;
    return (write as (this: ServerResponse, ...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
}

import type { StateEvent } from '../subscription/state-event';

/**
 * SSE frames as bytes for the `direct` transport, field for field what Nest's `SseStream` writes for the
 * `sse` transport (`event`, `id`, `retry`, `data`), so both transports put the same frames on the wire.
 */
export function stateFrame(id: string, json: string, retryMs?: number): string {
  return `event: state\nid: ${id}\n${retryField(retryMs)}data: ${json}\n\n`;
}

export function idFrame(id: string, retryMs?: number): string {
  return `id: ${id}\n${retryField(retryMs)}\n`;
}

export function pingFrame(id: string, intervalSeconds: number): string {
  return `event: ping\nid: ${id}\ndata: {"interval":${intervalSeconds}}\n\n`;
}

/** What Nest's `SseStream` writes for `{ comment: '' }`: both transports send the same bytes. */
export const COMMENT_FRAME = ': \n\n';

/**
 * A frame as one HTTP/1.1 chunk (`<hex length>\r\n<frame>\r\n`, RFC 9112 section 7.1), ready to be written
 * to a socket whose response is chunked: what `ServerResponse.write` would send, built once for all streams.
 */
export function httpChunk(frame: string): Buffer {
  return Buffer.from(`${Buffer.byteLength(frame).toString(16)}\r\n${frame}\r\n`);
}

/** The `event: state` frame of a change, for `StateEvent.encoded`: built once per change. */
export function sseFrame(event: StateEvent): Buffer {
  return Buffer.from(stateFrame(event.id, event.json));
}

/** The same frame as one HTTP/1.1 chunk, for `StateEvent.encoded`. */
export function sseChunk(event: StateEvent): Buffer {
  return httpChunk(stateFrame(event.id, event.json));
}

function retryField(retryMs: number | undefined): string {
  return retryMs === undefined ? '' : `retry: ${retryMs}\n`;
}

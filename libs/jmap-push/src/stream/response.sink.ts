import type { IncomingMessage, ServerResponse } from 'node:http';
import { COMMENT_FRAME, idFrame, pingFrame, stateFrame } from './sse-frames';
import type { StateEvent } from './state-event';
import { ResponseWatch } from './response-watch';
import type { StreamSink } from './stream-sink.interface';

/**
 * The `direct` transport: frames written straight to the response. A state event's bytes are built once
 * and the same Buffer goes to every stream it reaches, with no per-stream Transform, Observable or Promise.
 */
export class ResponseSink extends ResponseWatch implements StreamSink {
  private constructor(response: ServerResponse) {
    super(response);
  }

  /** Sends the status and headers at once, so the client's `open` fires before there is anything to say. */
  static open(request: IncomingMessage, response: ServerResponse): ResponseSink {
    request.socket.setKeepAlive(true);
    request.socket.setNoDelay(true);
    request.socket.setTimeout(0);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      // The same caching rules as Nest's `@Sse`; `no-transform` keeps compression middleware off the stream.
      'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
      Pragma: 'no-cache',
      Expires: '0',
      // nginx buffers proxied responses unless told not to.
      'X-Accel-Buffering': 'no',
      ...(request.httpVersionMajor === 1 ? { Connection: 'keep-alive' } : {}),
    });
    return new ResponseSink(response);
  }

  writeState(event: StateEvent, retryMs?: number): void {
    this.response.write(retryMs === undefined ? event.toFrame() : stateFrame(event.id, event.json, retryMs));
  }

  writeId(id: string, retryMs?: number): void {
    this.response.write(idFrame(id, retryMs));
  }

  writePing(id: string, intervalSeconds: number): void {
    this.response.write(pingFrame(id, intervalSeconds));
  }

  writeComment(): void {
    this.response.write(COMMENT_FRAME);
  }

  protected finish(): void {
    this.response.end();
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { COMMENT_FRAME, httpChunk, idFrame, pingFrame, stateFrame } from './sse-frames';
import type { StateEvent } from './state-event';
import { ResponseWatch } from './response-watch';
import type { StreamSink } from './stream-sink.interface';

/** The last ping chunk built: idle streams mostly hold the same id, so one Buffer serves a whole tick. */
let lastPing: { id: string; intervalSeconds: number; chunk: Buffer } | undefined;

/**
 * The `direct` transport: frames written by the module itself. A state event's bytes are built once, as
 * one HTTP/1.1 chunk, and that same Buffer goes straight to the socket of every stream it reaches: no
 * per-stream Transform, Observable or Promise, and none of `ServerResponse.write`'s per-call framing,
 * corking and bookkeeping (which costs more than the kernel write itself on a fan-out).
 */
export class ResponseSink extends ResponseWatch implements StreamSink {
  /** Set once the response has written its head: from then on, chunks may go to the socket directly. */
  private socket: Socket | undefined;

  private constructor(
    response: ServerResponse,
    private readonly connection: Socket,
  ) {
    // The socket carries both the response's writes and ours, so it is where backpressure shows.
    super(response, connection);
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
    return new ResponseSink(response, request.socket);
  }

  writeState(event: StateEvent, retryMs?: number): void {
    if (retryMs === undefined && this.socket) this.socket.write(event.toChunk());
    else this.write(retryMs === undefined ? event.toFrame() : stateFrame(event.id, event.json, retryMs));
  }

  writeId(id: string, retryMs?: number): void {
    this.write(idFrame(id, retryMs));
  }

  writePing(id: string, intervalSeconds: number): void {
    if (!this.socket) {
      this.write(pingFrame(id, intervalSeconds));
      return;
    }
    if (lastPing?.id !== id || lastPing.intervalSeconds !== intervalSeconds) {
      lastPing = { id, intervalSeconds, chunk: httpChunk(pingFrame(id, intervalSeconds)) };
    }
    this.socket.write(lastPing.chunk);
  }

  writeComment(): void {
    this.write(COMMENT_FRAME);
  }

  protected finish(): void {
    this.socket = undefined;
    this.response.end();
  }

  /**
   * Writes through the response, which sends the head with the first frame. Afterwards, a chunked
   * response's frames can bypass it: they queue on the same socket, after what the response wrote, and
   * the response's `end()` later closes the chunked body with its own last chunk.
   */
  private write(frame: string | Buffer): void {
    this.response.write(frame);
    if (!this.socket && this.response.chunkedEncoding && !this.response.writableEnded) this.socket = this.connection;
  }
}

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { StateEvent } from '../subscription/state-event';
import { eventStreamHeaders, writeHeadWith } from './event-stream-headers';
import { EventSourceSink, type Flow } from './event-source.sink';
import { COMMENT_FRAME, httpChunk, idFrame, pingFrame, sseChunk, sseFrame, stateFrame } from './sse-frames';

/** The last ping chunk built: idle streams mostly hold the same id, so one Buffer serves a whole tick. */
let lastPing: { id: string; intervalSeconds: number; chunk: Buffer } | undefined;

/**
 * The `direct` transport: frames written by the module itself. A state change's bytes are built once, as
 * one HTTP/1.1 chunk, and that same Buffer goes straight to the socket of every stream it reaches: no
 * per-stream Transform, Observable or Promise, and none of `ServerResponse.write`'s per-call framing,
 * corking and bookkeeping (which costs more than the kernel write itself on a fan-out).
 */
export class DirectSink extends EventSourceSink {
  /** Set once this response owns the socket and has written its head: chunks may then go to it directly. */
  private socket: Socket | undefined;
  /** The response has sent its head along with a first frame (Node sends the head with the first write). */
  private headSent = false;

  /** Sets the head; Node sends it with the subscription's first frame, which follows at once, so `open` fires. */
  constructor(
    request: IncomingMessage,
    response: ServerResponse,
    reconnectDelayMs: number,
    onClientLeft: () => void,
    headers: OutgoingHttpHeaders = eventStreamHeaders(request),
  ) {
    super(request, response, reconnectDelayMs, onClientLeft);
    request.socket.setKeepAlive(true);
    request.socket.setNoDelay(true);
    request.socket.setTimeout(0);
    response.writeHead(200, headers);
  }

  writeState(event: StateEvent): void {
    const retryMs = this.takeRetry();
    const socket = this.ownSocket();
    if (retryMs === undefined && socket) socket.write(event.encoded(sseChunk));
    else this.write(retryMs === undefined ? event.encoded(sseFrame) : stateFrame(event.id, event.json, retryMs));
  }

  writeOpen(id: string): void {
    this.write(idFrame(id, this.takeRetry()));
  }

  writePing(id: string, intervalSeconds: number): void {
    const socket = this.ownSocket();
    if (!socket) {
      this.write(pingFrame(id, intervalSeconds));
      return;
    }
    if (lastPing?.id !== id || lastPing.intervalSeconds !== intervalSeconds) {
      lastPing = { id, intervalSeconds, chunk: httpChunk(pingFrame(id, intervalSeconds)) };
    }
    socket.write(lastPing.chunk);
  }

  writeWaiting(): void {
    this.write(COMMENT_FRAME);
  }

  /** The socket carries both the response's writes and ours once the response owns it; before, the response buffers. */
  protected get flow(): Flow {
    return this.ownSocket() ?? this.response;
  }

  protected finish(): void {
    this.socket = undefined;
    this.response.end();
  }

  /**
   * The socket, once frames may bypass the response: it has written its head, its body is chunked, and
   * it owns the connection. A pipelined response waits behind the one before it, and Node buffers its
   * writes until then; bytes written to the socket meanwhile would land in the other response.
   */
  private ownSocket(): Socket | undefined {
    if (this.socket) return this.socket;
    const response = this.response;
    if (
      this.headSent &&
      response.chunkedEncoding &&
      !response.writableEnded &&
      response.socket === this.request.socket
    ) {
      this.socket = response.socket;
    }
    return this.socket;
  }

  /** Writes through the response, which sends the head with the first frame and buffers while it waits for the socket. */
  private write(frame: string | Buffer): void {
    if (this.headSent) {
      this.response.write(frame);
      return;
    }
    this.headSent = true;
    writeHeadWith(this.response, () => this.response.write(frame));
  }
}

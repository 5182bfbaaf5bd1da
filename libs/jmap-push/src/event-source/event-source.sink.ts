import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndReason } from '../subscription/end-reason';
import type { PushSink } from '../subscription/push-sink.interface';
import type { StateEvent } from '../subscription/state-event';
import { closesConnection } from './event-stream-headers';

/** What flow control needs of a writable (a response or a socket): whether it is full, and `drain`. */
export interface Flow {
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * The part of an event-source sink both transports share: the "client left" signal (the response or its
 * connection closed: a pipelined response that never got the socket sees only the latter), flow control,
 * `retry:` on the first frame that carries an id, and ending the response as the subscription's end
 * reason asks.
 */
export abstract class EventSourceSink implements PushSink {
  private drainListener: (() => void) | undefined;
  private drainFlow: Flow | undefined;
  /** `retry:` not yet sent; it rides on the first frame that carries an id. */
  private retryMs: number | undefined;
  private readonly left: () => void;

  constructor(
    protected readonly request: IncomingMessage,
    protected readonly response: ServerResponse,
    reconnectDelayMs: number,
    onClientLeft: () => void,
  ) {
    this.retryMs = reconnectDelayMs;
    this.left = onClientLeft;
    // `on`, not `once`: `once` wraps every listener in a closure and a state object, per stream. The first
    // 'close' ends the subscription, whose `close` below removes both.
    response.on('close', this.left);
    request.socket.on('close', this.left);
  }

  abstract writeState(event: StateEvent): void;
  abstract writeOpen(id: string): void;
  abstract writePing(id: string, intervalSeconds: number): void;
  abstract writeWaiting(): void;

  /** Where backpressure shows and `drain` is awaited. */
  protected abstract get flow(): Flow;

  /** Ends the response the transport's way. */
  protected abstract finish(): void;

  get backpressured(): boolean {
    return this.flow.writableNeedDrain;
  }

  get progress(): number {
    const socket = this.request.socket;
    return socket.bytesWritten - socket.writableLength;
  }

  onDrain(listener: () => void): void {
    this.stopWaitingForDrain();
    this.drainListener = listener;
    this.drainFlow = this.flow;
    this.drainFlow.once('drain', listener);
  }

  close(reason: EndReason): void {
    this.stopWaitingForDrain();
    this.response.off('close', this.left);
    this.request.socket.off('close', this.left);
    switch (reason) {
      case 'clientLeft':
        return;
      case 'writeFailed':
      case 'stalled':
        // Ending politely would wait for a client that does not read: its socket goes at once.
        this.response.destroy();
        return;
      case 'shutdown':
        this.endConnection();
        return;
      default:
        // RFC 9112 section 9.6: a client that asked for `Connection: close` gets it.
        if (closesConnection(this.request)) this.endConnection();
        else this.finish();
    }
  }

  protected takeRetry(): number | undefined {
    const retryMs = this.retryMs;
    this.retryMs = undefined;
    return retryMs;
  }

  /** Once the last frame is flushed the socket goes too: an idle keep-alive socket would hold up `server.close()`. */
  private endConnection(): void {
    // Taken now: a finished response lets go of its socket.
    const socket = this.response.socket;
    this.response.once('finish', () => socket?.destroySoon());
    this.finish();
  }

  private stopWaitingForDrain(): void {
    if (this.drainListener) this.drainFlow?.off('drain', this.drainListener);
    this.drainListener = undefined;
    this.drainFlow = undefined;
  }
}

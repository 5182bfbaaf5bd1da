import type { IncomingMessage, ServerResponse } from 'node:http';

/** What flow control needs of a writable (a response or a socket): whether it is full, and `drain`. */
export interface Flow {
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * The half of a sink that watches the response, shared by both transports: whether the client is
 * keeping up, being told when it caught up, and cutting it off.
 */
export abstract class ResponseWatch {
  private drainListener: (() => void) | undefined;

  /**
   * @param flow where backpressure is read and `drain` awaited: the response, or its socket when the
   *   transport writes there too (the response only knows of its own writes).
   */
  protected constructor(
    protected readonly response: ServerResponse,
    private readonly flow: Flow = response,
  ) {}

  get backpressured(): boolean {
    return this.flow.writableNeedDrain;
  }

  onDrain(listener: () => void): void {
    this.dispose();
    this.drainListener = listener;
    this.flow.once('drain', listener);
  }

  /**
   * Ends the response; its connection too when the client sent `Connection: close` (RFC 9112 section
   * 9.6): both transports announce `keep-alive` in their headers, so Node would otherwise keep it.
   */
  end(): void {
    // The response comes from the host's HTTP stack, whose objects need not all carry `req`.
    const connection = (this.response.req as IncomingMessage | undefined)?.headers.connection;
    if (connection && /(^|,)\s*close\s*(,|$)/i.test(connection)) this.endConnection();
    else this.finish();
  }

  endConnection(): void {
    // Once the last frame is flushed, the socket goes too: an idle keep-alive socket would hold up
    // `server.close()` until its keep-alive timeout. It is taken now: a finished response lets go of it.
    const socket = this.response.socket;
    this.response.once('finish', () => socket?.destroySoon());
    this.finish();
  }

  /** Ends the response the transport's way. */
  protected abstract finish(): void;

  abort(): void {
    this.response.destroy();
  }

  dispose(): void {
    if (this.drainListener) this.flow.off('drain', this.drainListener);
    this.drainListener = undefined;
  }
}

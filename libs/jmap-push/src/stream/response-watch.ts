import type { ServerResponse } from 'node:http';

/**
 * The half of a sink that watches the response, shared by both transports: whether the client is
 * keeping up, being told when it caught up, and cutting it off.
 */
export abstract class ResponseWatch {
  private drainListener: (() => void) | undefined;

  protected constructor(protected readonly response: ServerResponse) {}

  get backpressured(): boolean {
    return this.response.writableNeedDrain;
  }

  onDrain(listener: () => void): void {
    this.dispose();
    this.drainListener = listener;
    this.response.once('drain', listener);
  }

  endConnection(): void {
    // Once the last frame is flushed, the socket goes too: an idle keep-alive socket would hold up
    // `server.close()` until its keep-alive timeout.
    // The socket is taken now: a finished response has already let go of it.
    const socket = this.response.socket;
    this.response.once('finish', () => socket?.destroySoon());
    this.end();
  }

  abstract end(): void;

  abort(): void {
    this.response.destroy();
  }

  dispose(): void {
    if (this.drainListener) this.response.off('drain', this.drainListener);
    this.drainListener = undefined;
  }
}

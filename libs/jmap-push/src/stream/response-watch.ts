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

  abort(): void {
    this.response.destroy();
  }

  dispose(): void {
    if (this.drainListener) this.response.off('drain', this.drainListener);
    this.drainListener = undefined;
  }
}

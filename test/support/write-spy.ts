import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * Watches every way a frame can leave the server: `ServerResponse.write` (the `sse` transport, and every
 * transport's first frame) and `Socket.write` (the `direct` transport writes ready-made chunks there).
 * `onWrite` sees each chunk as text and may throw to make that write fail. Returns the restore function.
 */
export function spyOnWrites(onWrite: (text: string) => void): () => void {
  const spies = [ServerResponse.prototype, Socket.prototype].map((prototype) => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound on purpose: the mock calls it with the writer as `this`
    const original = prototype.write as (...args: unknown[]) => boolean;
    return jest.spyOn(prototype, 'write').mockImplementation(function (
      this: unknown,
      chunk: unknown,
      ...rest: unknown[]
    ) {
      onWrite(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return original.call(this, chunk, ...rest);
    } as never);
  });
  return () => {
    for (const spy of spies) spy.mockRestore();
  };
}

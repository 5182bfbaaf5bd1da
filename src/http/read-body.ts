import type { HttpRequest } from './express-types';

/** Thrown when a body is larger than allowed; the caller answers with its own limit problem. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a raw request body up to `maxBytes`. The app runs without Nest's body parser, so JMAP can tell
 * `notJSON` from other errors and enforce `maxSizeRequest` / `maxSizeUpload` itself.
 */
export function readBody(request: HttpRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        // Keep draining (discarding) so the client can read our answer instead of a reset.
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    request.once('error', reject);
  });
}

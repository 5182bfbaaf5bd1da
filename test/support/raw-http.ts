// Raw HTTP exchanges over sockets, for requests no client library would send and responses read byte
// for byte.
import { connect, type Socket } from 'node:net';

/** A response read off a socket: status, lower-cased headers, the body (de-chunked) and how it ended. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Partial<Record<string, string>>;
  /** The body; for a 200 event stream, only what arrived up to its first frame. */
  readonly body: string;
  /** A 200 `text/event-stream` whose first frame arrived (the socket was then destroyed by us). */
  readonly stream: boolean;
  readonly head: string;
}

const HEAD_END = '\r\n\r\n';

/** Decodes a chunked body as far as it goes; `done` once the last chunk was read. */
function dechunk(raw: Buffer): { body: Buffer; done: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return { body: Buffer.concat(parts), done: false };
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size in ${JSON.stringify(raw.toString('latin1'))}`);
    if (size === 0) return { body: Buffer.concat(parts), done: true };
    if (raw.length < eol + 2 + size) {
      parts.push(raw.subarray(eol + 2));
      return { body: Buffer.concat(parts), done: false };
    }
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** True once an SSE body holds a complete frame with content (Nest writes a lone newline first). */
export function hasFirstFrame(body: string): boolean {
  const text = body.replace(/\r\n?/g, '\n').replace(/^\n+/, '');
  return text.includes('\n\n');
}

/**
 * Writes `bytes` to a fresh connection and reads one response: to the end of its body, or, for a 200
 * event stream, to its first frame (then the socket is destroyed). Rejects on a hang (`timeoutMs`).
 */
export function rawExchange(port: number, bytes: Buffer | string, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response as RawResponse);
    };
    const timer = setTimeout(() => {
      finish(
        new Error(
          `no complete response within ${timeoutMs} ms; got ${JSON.stringify(received.toString('latin1').slice(0, 300))}`,
        ),
      );
    }, timeoutMs);
    const evaluate = (ended: boolean) => {
      const headEnd = received.indexOf(HEAD_END);
      if (headEnd < 0) {
        if (ended)
          finish(
            new Error(
              `connection closed without a response; got ${JSON.stringify(received.toString('latin1').slice(0, 300))}`,
            ),
          );
        return;
      }
      const head = received.subarray(0, headEnd).toString('latin1');
      const [statusLine, ...lines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      const headers: Partial<Record<string, string>> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const rest = received.subarray(headEnd + 4);
      let body: Buffer;
      let complete: boolean;
      if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
        ({ body, done: complete } = dechunk(rest));
      } else if (headers['content-length'] !== undefined) {
        const length = Number(headers['content-length']);
        body = rest.subarray(0, length);
        complete = rest.length >= length;
      } else {
        body = rest;
        complete = ended;
      }
      const text = body.toString('utf8');
      const isStream = status === 200 && (headers['content-type'] ?? '').startsWith('text/event-stream');
      if (isStream && hasFirstFrame(text)) {
        finish(undefined, { status, headers, body: text, stream: true, head });
      } else if (!isStream && complete) {
        finish(undefined, { status, headers, body: text, stream: false, head });
      } else if (ended) {
        finish(undefined, { status, headers, body: text, stream: false, head });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      evaluate(false);
    });
    socket.on('end', () => {
      evaluate(true);
    });
    socket.on('close', () => {
      evaluate(true);
    });
    socket.on('error', (error) => {
      // A server that refuses bytes may reset the connection after answering; judge what arrived.
      if (received.includes(HEAD_END)) evaluate(true);
      else finish(error);
    });
    socket.write(bytes);
  });
}

/** A GET request as bytes; `target` is sent as is (no validation), as are header values. */
export function rawGet(target: string | Buffer, headers: Array<[string, string | Buffer]>): Buffer {
  const parts: Buffer[] = [
    Buffer.from('GET ', 'latin1'),
    Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
  ];
  parts.push(Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n', 'latin1'));
  for (const [name, value] of headers) {
    parts.push(
      Buffer.from(`${name}: `, 'latin1'),
      Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Opens a raw socket that sends one GET and hands back the socket once the response head arrived. */
export function openRaw(
  port: number,
  bytes: Buffer | string,
): Promise<{ socket: Socket; head: string; status: number; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(HEAD_END);
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      const head = received.subarray(0, end).toString('latin1');
      resolve({ socket, head, status: Number(head.slice(9, 12)), rest: received.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(bytes);
  });
}

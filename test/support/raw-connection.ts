import { connect, type Socket } from 'node:net';
import { basicAuth } from './sse-client';

/** One HTTP/1.x response as it came off the wire. */
export interface RawResponse {
  readonly status: number;
  readonly version: string;
  /** Header lines in wire order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body with any chunked framing removed. */
  readonly body: string;
  /** The body's end was seen (last chunk, full length, or no body by the method). */
  readonly complete: boolean;
}

/** The value of a header, by case-insensitive name. */
export function headerOf(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

/**
 * Splits what a server wrote on one connection into responses, in order; `methods` are the requests'
 * methods (a HEAD response has no body whatever its headers say).
 */
export function parseResponses(data: string, methods: readonly string[]): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  for (const method of methods) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const [version, status] = statusLine.split(' ');
    const headers = lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as const;
    });
    rest = rest.slice(headEnd + 4);
    const response = { status: Number(status), version, headers };
    const chunked = /chunked/i.test(headers.find(([k]) => k.toLowerCase() === 'transfer-encoding')?.[1] ?? '');
    const length = headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1];
    if (method === 'HEAD' || status === '204' || status === '304') {
      responses.push({ ...response, body: '', complete: true });
    } else if (chunked) {
      let body = '';
      let complete = false;
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd < 0) break;
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (rest.length < lineEnd + 2 + size + 2) break;
        if (size === 0) {
          rest = rest.slice(lineEnd + 4);
          complete = true;
          break;
        }
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
      }
      responses.push({ ...response, body, complete });
      if (!complete) break;
    } else if (length !== undefined) {
      const body = rest.slice(0, Number(length));
      rest = rest.slice(body.length);
      responses.push({ ...response, body, complete: body.length === Number(length) });
    } else {
      // Delimited by the end of the connection (HTTP/1.0, Connection: close).
      responses.push({ ...response, body: rest, complete: false });
      break;
    }
  }
  return responses;
}

/** A raw client connection: what it sent, what it received, and when the server closed it. */
export class RawConnection {
  data = '';
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: string) => {
      this.data += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve();
      }),
    );
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Waits until `condition` holds on what was received, or fails after `timeoutMs`. */
  async until(condition: (data: string) => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.data)) {
      if (this.socket.destroyed)
        throw new Error(`connection closed before ${what}; received ${JSON.stringify(this.data)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.data)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stops reading, as a client that no longer takes what it is sent. */
  pause(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A request line and headers as a client would send them, with Basic credentials. */
export function rawRequest(
  path: string,
  {
    method = 'GET',
    user,
    password,
    version = '1.1',
    headers = {},
  }: {
    method?: string;
    user?: string;
    password?: string;
    version?: string;
    headers?: Record<string, string>;
  } = {},
): string {
  const lines = [`${method} ${path} HTTP/${version}`, 'Host: 127.0.0.1'];
  if (user) lines.push(`Authorization: ${basicAuth(user, password ?? `${user.split('@')[0]}-secret`)}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

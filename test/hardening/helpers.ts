// Shared by the hardening suite (issue 6): raw HTTP exchanges over sockets, a keep-alive client, and
// checks of what a response of the event source may look like.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { PROBLEM_JSON } from 'jmap-push';
import { PingScheduler } from 'jmap-push/ping/ping-scheduler';
import { StallWatch } from 'jmap-push/subscription/stall-watch';
import { SubscriptionAdmission } from 'jmap-push/subscription/subscription-admission';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import type { PushApp } from '../support/push-app';

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

/** A keep-alive client: many requests over few sockets, so fuzzing costs no connection per case. */
export class KeepAliveClient {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly port: number) {}

  /** One GET; an error response is read to its end, a 200 stream to its first frame (then destroyed). */
  get(path: string, headers: Record<string, string>, timeoutMs = 5000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, path, method: 'GET', agent: this.agent, headers });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no complete response to ${path.slice(0, 200)} within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const flat = flatten(res.headers);
        const isStream = status === 200 && (flat['content-type'] ?? '').startsWith('text/event-stream');
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (isStream && hasFirstFrame(body)) {
            clearTimeout(timer);
            res.destroy();
            resolve({ status, headers: flat, body, stream: true, head: '' });
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status, headers: flat, body, stream: false, head: '' });
        });
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The statuses the event source may answer: a stream, or an error the client can act on. */
export const ALLOWED_STATUSES = [200, 400, 401, 414, 429, 431] as const;

/**
 * Checks a response is one the event source may give, with the body its status calls for. `nodeBare`
 * allows Node's own parser answers (400/431 without a body, before the app ever saw the request).
 */
export function assertWellFormed(response: RawResponse, nodeBare = false): void {
  const where = () => `${response.status} ${JSON.stringify(response.headers)} ${response.body.slice(0, 300)}`;
  if (!(ALLOWED_STATUSES as readonly number[]).includes(response.status))
    throw new Error(`unexpected status: ${where()}`);
  if (response.status === 200) {
    if (!response.stream) throw new Error(`200 that is not an event stream with a first frame: ${where()}`);
    if (!/^(?:\n)?(?:id: \d+-\d+\n|event: state\n)/.test(response.body.replace(/\r\n?/g, '\n'))) {
      throw new Error(`200 whose first frame is not an id or a state event: ${where()}`);
    }
    return;
  }
  const contentType = response.headers['content-type'] ?? '';
  if (!contentType.startsWith(PROBLEM_JSON)) {
    if (nodeBare && (response.status === 400 || response.status === 431) && response.body === '') return;
    throw new Error(`error without problem details: ${where()}`);
  }
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    throw new Error(`problem details that are not JSON: ${where()}`);
  }
  if (problem.status !== response.status || typeof problem.type !== 'string' || typeof problem.title !== 'string') {
    throw new Error(`problem details that do not match the status: ${where()}`);
  }
  if (
    response.status === 400 &&
    (problem.type !== 'urn:ietf:params:jmap:error:notRequest' || typeof problem.parameter !== 'string')
  ) {
    throw new Error(`a 400 that names no parameter: ${where()}`);
  }
  if (response.status === 401 && !(response.headers['www-authenticate'] ?? '').startsWith('Basic realm=')) {
    throw new Error(`a 401 without a Basic challenge: ${where()}`);
  }
  if (response.status === 429 && !/^\d+$/.test(response.headers['retry-after'] ?? '')) {
    throw new Error(`a 429 without Retry-After: ${where()}`);
  }
}

/** Polls `condition` until it holds or the deadline passes (for states nothing can be awaited on). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((wake) => setTimeout(wake, everyMs));
  }
}

/** Everything the server holds for open streams; all zero once every client is gone. */
export function holdings(push: PushApp): Record<string, number> {
  return {
    registry: push.app.get(SubscriptionRegistry).size,
    openStreams: push.metrics.snapshot().openStreams,
    admissionHeld: push.app.get(SubscriptionAdmission).held,
    pingScheduler: push.app.get(PingScheduler).size,
    stallWatch: push.app.get(StallWatch).size,
  };
}

export const NOTHING_HELD = { registry: 0, openStreams: 0, admissionHeld: 0, pingScheduler: 0, stallWatch: 0 };

/** Waits until the server holds nothing for streams (clients' closes reach it asynchronously). */
export async function settled(push: PushApp, timeoutMs = 5000): Promise<void> {
  await eventually(
    () => Object.values(holdings(push)).every((n) => n === 0),
    `the server holds nothing: ${JSON.stringify(holdings(push))}`,
    timeoutMs,
  );
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

/** Resolves with the promise's value, or with `fallback` after `ms` (the timer is cleared either way). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<F>(
        (resolve) =>
          (timer = setTimeout(() => {
            resolve(fallback);
          }, ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

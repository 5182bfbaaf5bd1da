// Shared by the JMAP-over-WebSocket suite (issue 13): an app with the endpoint on, a request handler that
// echoes (or waits when told to), raw handshakes for the refusals, and the server's leak counters.
import { connect, type Socket } from 'node:net';
import type { JmapRequestHandler, JmapResponse, WebSocketOptions } from 'jmap-push';
import { startPushApp, type PushApp, type PushAppOptions } from '../../support/push-app';
import { NOTHING_HELD, serverHolds, type ServerHolds } from '../../support/server-holds';
import { waitUntil } from '../../support/wait';
import { basicAuth } from '../../support/sse-client';

/** Echoes every method call with the principal's id; a call named `Test/wait` waits until `release` is called. */
export class EchoHandler implements JmapRequestHandler {
  private readonly waiting: (() => void)[] = [];

  async handle(...[request, authentication]: Parameters<JmapRequestHandler['handle']>): Promise<JmapResponse> {
    if (request.methodCalls.some(([name]) => name === 'Test/wait')) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return {
      methodResponses: request.methodCalls.map(([name, args, id]) => [
        name,
        { ...args, principal: authentication.principal.id },
        id,
      ]),
      sessionState: 's1',
    };
  }

  /** Requests parked in `Test/wait`. */
  get parked(): number {
    return this.waiting.length;
  }

  /** Lets the oldest parked request finish. */
  release(): void {
    this.waiting.shift()?.();
  }
}

export interface WsApp extends PushApp {
  readonly wsUrl: string;
  readonly port: number;
}

/** Boots a push app with the WebSocket endpoint at `/jmap/ws`. */
export async function startWsApp(
  options: PushAppOptions = {},
  webSocket: Partial<WebSocketOptions> = {},
): Promise<WsApp> {
  const push = await startPushApp({
    ...options,
    webSocket: { requestHandler: new EchoHandler(), ...webSocket },
  });
  return Object.assign(push, {
    wsUrl: `${push.baseUrl.replace('http:', 'ws:')}/jmap/ws`,
    port: Number(new URL(push.baseUrl).port),
  });
}

/** A Request with one method call. */
export function request(id: string, method = 'Core/echo', args: Record<string, unknown> = {}): unknown {
  return { '@type': 'Request', id, using: ['urn:ietf:params:jmap:core'], methodCalls: [[method, args, 'c1']] };
}

/** An HTTP answer to a handshake, read off a raw socket. */
export interface HandshakeAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends a WebSocket handshake on a raw socket and reads the answer's head (and, if not a 101, its body).
 * `headers` replace the defaults; a value of `undefined` drops one.
 */
export function rawHandshake(
  port: number,
  headers: Record<string, string | undefined>,
  path = '/jmap/ws',
  method = 'GET',
): Promise<HandshakeAnswer> {
  const all: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Protocol': 'jmap',
    ...headers,
  };
  const lines = Object.entries(all).flatMap(([name, value]) => (value === undefined ? [] : [`${name}: ${value}`]));
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer; got ${JSON.stringify(received.toString('latin1'))}`));
    }, 5000);
    const evaluate = (ended: boolean) => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (ended) finish(new Error(`closed without an answer: ${JSON.stringify(received.toString('latin1'))}`));
        return;
      }
      const [statusLine, ...rest] = received.subarray(0, end).toString('latin1').split('\r\n');
      const answerHeaders: Record<string, string> = {};
      for (const line of rest) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        // Repeated headers (two challenges) are kept one per line.
        answerHeaders[name] = name in answerHeaders ? `${answerHeaders[name]}\n${value}` : value;
      }
      const status = Number(statusLine.slice(9, 12));
      const body = received.subarray(end + 4);
      const length = Number(answerHeaders['content-length'] ?? 0);
      if (status === 101 || body.length >= length || ended) {
        finish(undefined, { status, headers: answerHeaders, body: body.subarray(0, length).toString('utf8') });
      }
    };
    const finish = (error?: Error, answer?: HandshakeAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer as HandshakeAnswer);
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      evaluate(false);
    });
    socket.on('end', () => {
      evaluate(true);
    });
    socket.on('error', () => {
      evaluate(true);
    });
    socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Everything the server holds for sockets (what it holds for streams, and the open sockets); all zero once every client is gone. */
export function wsHoldings(push: PushApp): ServerHolds & { webSockets: number } {
  return { ...serverHolds(push), webSockets: push.metrics.snapshot().webSockets };
}

/** What the server holds once every socket is gone. */
export const NOTHING_HELD_FOR_SOCKETS = { ...NOTHING_HELD, webSockets: 0 };

/** Waits until the server holds nothing for sockets (a client's close reaches it asynchronously). */
export async function wsSettled(push: PushApp, timeoutMs = 5000): Promise<void> {
  await waitUntil(
    () => Object.values(wsHoldings(push)).every((n) => n === 0),
    `the server holds nothing: ${JSON.stringify(wsHoldings(push))}`,
    timeoutMs,
  );
}

/** Does a JMAP WebSocket handshake on a raw socket that then never answers a ping (a dead peer). */
export function deadPeer(port: number): Promise<{ socket: Socket; pings: () => number; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let upgraded = false;
    let pings = 0;
    const closed = new Promise<void>((done) =>
      socket.once('close', () => {
        done();
      }),
    );
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!received.subarray(0, 12).toString('latin1').endsWith('101')) reject(new Error('not upgraded'));
        upgraded = true;
        received = received.subarray(end + 4);
        resolve({ socket, pings: () => pings, closed });
      }
      // Server frames are unmasked: opcode in the first byte, a short length in the second.
      while (received.length >= 2 && received.length >= 2 + (received[1] & 0x7f)) {
        if ((received[0] & 0x0f) === 0x9) pings++;
        received = received.subarray(2 + (received[1] & 0x7f));
      }
    });
    socket.write(
      'GET /jmap/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: jmap\r\n' +
        `Authorization: ${basicAuth('bob@example.com', 'bob-secret')}\r\n\r\n`,
    );
  });
}

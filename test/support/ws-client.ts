import WebSocket from 'ws';
import { basicAuth } from './sse-client';

/** A JMAP WebSocket client (the `ws` library) that collects every message it receives, parsed. */
export interface JmapSocket {
  readonly ws: WebSocket;
  readonly messages: Record<string, unknown>[];
  send(message: unknown): void;
  /** The next message received after those already taken, or fails after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the close code once the socket closed. */
  readonly closed: Promise<number>;
  close(): void;
}

/** Opens `url` offering the `jmap` subprotocol with Basic credentials (or the given headers). */
export function openJmapSocket(
  url: string,
  {
    user,
    password,
    headers = {},
    protocols = ['jmap'],
  }: {
    user?: string;
    password?: string;
    headers?: Record<string, string>;
    protocols?: string[];
  } = {},
): Promise<JmapSocket> {
  const allHeaders = {
    ...headers,
    ...(user && { Authorization: basicAuth(user, password ?? `${user.split('@')[0]}-secret`) }),
  };
  const ws = new WebSocket(url, protocols, { headers: allHeaders });
  const messages: Record<string, unknown>[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      for (const wake of waiters.splice(0)) wake();
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => {
      reject(
        Object.assign(new Error(`handshake refused: ${response.statusCode}`), { statusCode: response.statusCode }),
      );
    });
    ws.once('open', () => {
      resolve({
        ws,
        messages,
        closed,
        send: (message) => {
          ws.send(typeof message === 'string' ? message : JSON.stringify(message));
        },
        close: () => {
          ws.close();
        },
        async next(timeoutMs = 3000) {
          const deadline = Date.now() + timeoutMs;
          while (messages.length <= taken) {
            if (ws.readyState === WebSocket.CLOSED) throw new Error('the socket closed');
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
            await new Promise<void>((wake) => {
              const timer = setTimeout(wake, left);
              waiters.push(() => {
                clearTimeout(timer);
                wake();
              });
            });
          }
          return messages[taken++];
        },
      });
    });
  });
}

/**
 * Sends `WebSocketPushEnable` and waits until the server has applied it: RFC 8887 has no answer to it,
 * but a Request sent after it is read after it, so its Response proves the enable was applied.
 */
export async function enablePush(
  socket: JmapSocket,
  enable: { dataTypes: string[] | null; pushState?: string },
): Promise<void> {
  socket.send({ '@type': 'WebSocketPushEnable', ...enable });
  const id = `after-enable-${Math.random().toString(36).slice(2)}`;
  socket.send({ '@type': 'Request', id, using: ['urn:ietf:params:jmap:core'], methodCalls: [] });
  for (;;) {
    const message = await socket.next();
    if (message['@type'] === 'Response' && message.requestId === id) return;
  }
}

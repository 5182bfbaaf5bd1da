import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** One parsed SSE frame (a block ending in a blank line), with the raw text for exact-bytes assertions. */
export interface SseFrame {
  readonly event?: string;
  readonly id?: string;
  readonly data?: string;
  readonly retry?: number;
  readonly comment?: boolean;
  readonly raw: string;
}

/** A raw event-stream reader over a real socket: no reconnection, no interpretation beyond framing. */
export interface EventStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The whole body, for responses that end (errors, `closeafter=state`); resolves when it ends. */
  readonly body: Promise<string>;
  /** Every frame received so far. */
  readonly frames: readonly SseFrame[];
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  /** The next frame not yet returned by `next`/`nextEvent`; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseFrame>;
  /** The next frame with `event: name`, skipping others. */
  nextEvent(name: string, timeoutMs?: number): Promise<SseFrame>;
  /** Frames received so far that `next` has not returned (does not wait). */
  drain(): SseFrame[];
  close(): void;
  readonly response: IncomingMessage;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function parseFrame(raw: string): SseFrame {
  const frame: { event?: string; id?: string; data?: string; retry?: number; comment?: boolean; raw: string } = { raw };
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line === '') continue;
    if (line.startsWith(':')) {
      frame.comment = true;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') frame.event = value;
    else if (field === 'id') frame.id = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') frame.retry = Number(value);
  }
  if (data.length > 0) frame.data = data.join('\n');
  return frame;
}

/** Opens `url` with GET and resolves once the status line and headers arrived. */
export function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers: { Accept: 'text/event-stream', ...headers } });
    req.on('error', reject);
    req.on('response', (response) => {
      response.setEncoding('utf8');
      const frames: SseFrame[] = [];
      let cursor = 0;
      let buffer = '';
      let text = '';
      let waiter: (() => void) | undefined;
      let endedFlag = false;
      const ended = new Promise<void>((done) => {
        response.on('end', () => {
          endedFlag = true;
          done();
          waiter?.();
        });
        response.on('close', () => {
          endedFlag = true;
          done();
          waiter?.();
        });
      });
      response.on('data', (chunk: string) => {
        text += chunk;
        buffer += chunk.replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.slice(0, end + 2);
          buffer = buffer.slice(end + 2);
          // Nest writes a lone newline before the first frame; it is no frame.
          if (raw.trim() === '') continue;
          frames.push(parseFrame(raw));
        }
        waiter?.();
      });
      const next = async (timeoutMs = 5000): Promise<SseFrame> => {
        const deadline = Date.now() + timeoutMs;
        while (cursor >= frames.length) {
          if (endedFlag) throw new Error(`stream ended; frames so far: ${JSON.stringify(frames.map((f) => f.raw))}`);
          const left = deadline - Date.now();
          if (left <= 0)
            throw new Error(
              `no frame within ${timeoutMs} ms; frames so far: ${JSON.stringify(frames.map((f) => f.raw))}`,
            );
          await new Promise<void>((wake) => {
            const timer = setTimeout(wake, left);
            waiter = () => {
              clearTimeout(timer);
              waiter = undefined;
              wake();
            };
          });
        }
        return frames[cursor++];
      };
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: ended.then(() => text),
        frames,
        ended,
        response,
        next,
        async nextEvent(name: string, timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const frame = await next(Math.max(1, deadline - Date.now()));
            if (frame.event === name) return frame;
          }
        },
        drain() {
          const rest = frames.slice(cursor);
          cursor = frames.length;
          return rest;
        },
        close() {
          req.destroy();
          response.destroy();
        },
      });
    });
    req.end();
  });
}

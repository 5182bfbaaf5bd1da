import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { hasFirstFrame, type RawResponse } from './raw-http';

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

// The client side of the push check: raw HTTP requests and a parsed Server-Sent Events stream.
import { get as httpGet } from 'node:http';
import { CheckError } from './harness.mjs';

/** A parsed Server-Sent Events stream: frames as `{ event, id, retry, data }`. */
export class EventStream {
  constructor(response) {
    this.frames = [];
    this.waiters = [];
    this.ended = false;
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      buffer += chunk;
      let boundary;
      while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const raw = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        const frame = { raw };
        for (const line of raw.split(/\r?\n/)) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          frame[field] = field === 'data' && frame.data !== undefined ? `${frame.data}\n${value}` : value;
        }
        this.frames.push(frame);
      }
      this.notify();
    });
    const end = () => {
      this.ended = true;
      this.notify();
    };
    response.on('end', end);
    response.on('close', end);
    response.on('error', end);
  }

  notify() {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves with the first frame (from `from` on) that matches, or fails after `ms`. */
  next(predicate, description, from = 0, ms = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new CheckError(`no ${description} within ${ms} ms`, this.frames.map((frame) => frame.raw).join('\n\n')));
      }, ms);
      const remove = () => {
        this.waiters = this.waiters.filter((waiter) => waiter !== attempt);
        clearTimeout(timer);
      };
      const attempt = () => {
        const index = this.frames.findIndex((frame, position) => position >= from && predicate(frame));
        if (index !== -1) {
          remove();
          resolve({ frame: this.frames[index], index });
        } else if (this.ended) {
          remove();
          reject(
            new CheckError(
              `the stream ended before ${description}`,
              this.frames.map((frame) => frame.raw).join('\n\n'),
            ),
          );
        }
      };
      this.waiters.push(attempt);
      attempt();
    });
  }

  whenEnded(ms) {
    return new Promise((resolve, reject) => {
      if (this.ended) return resolve();
      const timer = setTimeout(
        () => reject(new CheckError(`the stream did not end within ${ms} ms of app.close()`)),
        ms,
      );
      this.waiters.push(() => {
        if (this.ended) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
}

export function request(port, path, auth, agent = undefined) {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      { host: '127.0.0.1', port, path, auth, agent, headers: { Accept: 'text/event-stream' } },
      resolve,
    );
    req.on('error', (error) => reject(new CheckError(`GET ${path} failed: ${error.message}`)));
  });
}

export function readBody(response) {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => resolve(body));
  });
}

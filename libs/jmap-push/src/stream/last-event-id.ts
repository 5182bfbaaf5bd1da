import type { IncomingMessage } from 'node:http';

/** The `Last-Event-ID` a reconnecting client sends; `undefined` when absent or empty. */
export function lastEventIdOf(request: IncomingMessage): string | undefined {
  const value = request.headers['last-event-id'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

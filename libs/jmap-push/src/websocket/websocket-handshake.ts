import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Authentication } from '../auth/authentication';
import { PROBLEM_JSON, ProblemType } from '../problem/problem-details';
import { ProblemDetailsException } from '../problem/problem-details.exception';

/** RFC 8887 section 4.2: the subprotocol a JMAP client must offer. */
export const JMAP_SUBPROTOCOL = 'jmap';

/** Whether the client offered the `jmap` subprotocol (RFC 6455 section 4.1: a comma-separated list). */
export function offersJmap(request: IncomingMessage): boolean {
  const offered = request.headers['sec-websocket-protocol'];
  return offered !== undefined && offered.split(',').some((protocol) => protocol.trim() === JMAP_SUBPROTOCOL);
}

/**
 * Whether a page of the request's `Origin` may open this socket: requests without one are not from a
 * browser; the server's own origin always may; with `allowed`, the listed ones; without it, any origin
 * whose handshake carries its own credentials, but no other site with the browser's session cookie
 * (cross-site WebSocket hijacking: the browser would send the cookie on that site's behalf).
 */
export function originAllowed(
  request: IncomingMessage,
  authentication: Authentication,
  allowed: ReadonlySet<string> | undefined,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (hostOf(origin) === request.headers.host?.toLowerCase()) return true;
  if (allowed) return allowed.has(origin.toLowerCase());
  return authentication.session === undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The refusals of a handshake, before any upgrade: plain HTTP answers with problem details. */
export const HandshakeProblem = {
  forbiddenOrigin: () => ProblemDetailsException.plain(403, 'This origin may not open a JMAP WebSocket here'),
  noSubprotocol: () =>
    new ProblemDetailsException({
      type: ProblemType.notRequest,
      status: 400,
      title: 'Not a JMAP WebSocket handshake',
      detail: `Sec-WebSocket-Protocol must offer "${JMAP_SUBPROTOCOL}" (RFC 8887 section 4.2)`,
    }),
  /** What `ws` found wrong with a handshake (its key, version, `Upgrade` or subprotocol header), as problem details. */
  malformed: (error: Error, request: IncomingMessage) =>
    request.method === 'GET'
      ? ProblemDetailsException.plain(
          400,
          error.message,
          // RFC 6455 section 4.2.2: the versions this server speaks, for a client that offered another.
          ['13', '8'].includes(request.headers['sec-websocket-version'] ?? '')
            ? {}
            : { 'Sec-WebSocket-Version': '13, 8' },
        )
      : ProblemDetailsException.plain(405, error.message, { Allow: 'GET' }),
};

/** Answers a refused handshake on the raw socket, as an HTTP response, and closes it. */
export function refuseHandshake(socket: Duplex, exception: ProblemDetailsException): void {
  const { problem, headers } = exception;
  const body = JSON.stringify(problem);
  const lines = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    `Content-Type: ${PROBLEM_JSON}`,
    'Cache-Control: no-store',
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(headers)) {
    for (const one of typeof value === 'string' ? [value] : value) lines.push(`${name}: ${one}`);
  }
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ProblemDetailsException } from '../problem/problem-details.exception';

/** No valid event-source URL comes near this; Node itself answers 431 past its 16 KiB header limit. */
const MAX_URL_LENGTH = 4096;

/** Query parameters as the client sent them: one string, or several when a key was repeated. */
export type RawQuery = Record<string, string | string[]>;

/**
 * The query of a request URL, read with `URLSearchParams`, so validation does not depend on the host's
 * query parser (Express's `simple` and `extended` parse `a[b]=c` differently). 414 past `MAX_URL_LENGTH`.
 */
export function readRawQuery(url: string): RawQuery {
  if (url.length > MAX_URL_LENGTH) {
    throw ProblemDetailsException.plain(414, `The event-source URL may be at most ${MAX_URL_LENGTH} characters`);
  }
  const question = url.indexOf('?');
  const query: RawQuery = Object.create(null) as RawQuery;
  if (question < 0) return query;
  for (const [key, value] of new URLSearchParams(url.slice(question + 1))) {
    const seen = query[key] as string | string[] | undefined; // undefined: the first time the key comes
    query[key] = seen === undefined ? value : ([] as string[]).concat(seen, value);
  }
  return query;
}

/** The event-source query read straight off the request URL (`readRawQuery`), for `EventSourceQueryPipe`. */
export const EventSourceParams = createParamDecorator((_data: unknown, context: ExecutionContext): RawQuery => {
  const request = context.switchToHttp().getRequest<IncomingMessage & { originalUrl?: string }>();
  return readRawQuery(request.originalUrl ?? request.url ?? '');
});

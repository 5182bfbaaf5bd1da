import { Req, Sse, UseFilters, UseGuards, type MessageEvent } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EMPTY, Observable } from 'rxjs';
import { AcceptsSessionCookie } from '../auth/accepts-session-cookie.decorator';
import type { Authentication } from '../auth/authentication';
import { PushAuthentication } from '../auth/principal.decorator';
import { PushAuthGuard } from '../auth/push-auth.guard';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { EventSourceParams } from '../query/event-source-params.decorator';
import type { EventSourceQuery } from '../query/event-source-query';
import { EventSourceQueryPipe } from '../query/event-source-query.pipe';
import { EventSourceChannel } from './event-source.channel';
import { alignNestSseHead } from './nest-sse-head';
import { NestSseSink } from './nest-sse.sink';

/**
 * The RFC 8620 section 7.3 event source on Nest's `@Sse` (the `sse` transport). Its route is set per
 * module by `createEventSourceControllers`. Order of checks: credentials (401), query (400), limits (429).
 */
@UseFilters(ProblemDetailsFilter)
@UseGuards(PushAuthGuard)
export class EventSourceController {
  constructor(private readonly channel: EventSourceChannel) {}

  @Sse()
  @AcceptsSessionCookie()
  events(
    @PushAuthentication() authentication: Authentication,
    @EventSourceParams(EventSourceQueryPipe) query: EventSourceQuery,
    @Req() request: IncomingMessage & { res: ServerResponse },
  ): Observable<MessageEvent> {
    const response = request.res;
    const stream = this.channel.accept(authentication, query, request, response);
    if (!stream) return EMPTY;
    alignNestSseHead(request, response);
    const sink = new NestSseSink(request, response, this.channel.reconnectDelayMs, stream.left);
    return new Observable<MessageEvent>((subscriber) => {
      sink.attach(subscriber);
      stream.open(sink);
      return stream.left;
    });
  }
}

import { Get, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { AcceptsSessionCookie } from '../auth/accepts-session-cookie.decorator';
import type { Authentication } from '../auth/authentication';
import { PushAuthentication } from '../auth/principal.decorator';
import { PushAuthGuard } from '../auth/push-auth.guard';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { EventSourceParams } from '../query/event-source-params.decorator';
import type { EventSourceQuery } from '../query/event-source-query';
import { EventSourceQueryPipe } from '../query/event-source-query.pipe';
import { DirectSink } from './direct.sink';
import { EventSourceChannel } from './event-source.channel';

/**
 * The event source for processes that hold many thousands of streams (`transport: 'direct'`): the same
 * guard, query pipe, subscriptions, frames, ids and limits as `EventSourceController`, but frames are
 * written to the response itself instead of through an Observable per stream.
 */
@UseFilters(ProblemDetailsFilter)
@UseGuards(PushAuthGuard)
export class DirectEventSourceController {
  constructor(private readonly channel: EventSourceChannel) {}

  @Get()
  @AcceptsSessionCookie()
  events(
    @PushAuthentication() authentication: Authentication,
    @EventSourceParams(EventSourceQueryPipe) query: EventSourceQuery,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    openDirectStream(this.channel, authentication, query, request, response);
  }
}

/**
 * Admits the request's subscription and opens it on a `DirectSink`: what `DirectEventSourceController` and
 * `DirectRoute` (the same route, answered ahead of Express) do once the request is authenticated and its
 * query valid. `headers`: the head, when the caller has it built already.
 */
export function openDirectStream(
  channel: EventSourceChannel,
  authentication: Authentication,
  query: EventSourceQuery,
  request: IncomingMessage,
  response: ServerResponse,
  headers?: OutgoingHttpHeaders,
): void {
  const stream = channel.accept(authentication, query, request, response);
  stream?.open(new DirectSink(request, response, channel.reconnectDelayMs, stream.left, headers));
}

import { Get, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcceptsSessionCookie } from '../auth/accepts-session-cookie.decorator';
import { PushPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal.interface';
import { PushAuthGuard } from '../auth/push-auth.guard';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { EventSourceParams } from '../query/event-source-params.decorator';
import type { EventSourceQuery } from '../query/event-source-query.dto';
import { EventSourceQueryPipe } from '../query/event-source-query.pipe';
import { lastEventIdOf } from './last-event-id';
import { ResponseSink } from './response.sink';
import { StreamAdmission } from './stream-admission';
import { StreamRegistry } from './stream-registry';

/**
 * The event source for processes that hold many thousands of streams (`transport: 'direct'`): the same
 * guard, query pipe, registry, frames, ids, pings, replay and limits as `EventSourceController`, but
 * frames are written to the response itself instead of through an Observable per stream.
 */
@UseFilters(ProblemDetailsFilter)
@UseGuards(PushAuthGuard)
export class DirectEventSourceController {
  constructor(
    private readonly streams: StreamRegistry,
    private readonly admission: StreamAdmission,
  ) {}

  @Get()
  @AcceptsSessionCookie()
  events(
    @PushPrincipal() principal: Principal,
    @EventSourceParams(EventSourceQueryPipe) query: EventSourceQuery,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): void {
    const slot = this.admission.admit(principal);
    if (response.destroyed) {
      // The client left while it was being authenticated.
      slot.release();
      return;
    }
    const stream = this.streams.open(
      principal,
      query,
      lastEventIdOf(request),
      ResponseSink.open(request, response),
      slot,
    );
    response.once('close', () => {
      stream.close();
    });
  }
}

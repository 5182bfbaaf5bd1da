import { Req, Sse, UseFilters, UseGuards, type MessageEvent } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import { AcceptsSessionCookie } from '../auth/accepts-session-cookie.decorator';
import { PushPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal.interface';
import { PushAuthGuard } from '../auth/push-auth.guard';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { EventSourceParams } from '../query/event-source-params.decorator';
import type { EventSourceQuery } from '../query/event-source-query.dto';
import { EventSourceQueryPipe } from '../query/event-source-query.pipe';
import { lastEventIdOf } from './last-event-id';
import { SseMessageSink } from './sse-message.sink';
import { StreamAdmission } from './stream-admission';
import { StreamRegistry } from './stream-registry';

/**
 * The RFC 8620 section 7.3 event source on Nest's `@Sse` (the `sse` transport). Its route is set per
 * module by `createEventSourceController`. Order of checks: credentials (401), query (400), limits (429).
 */
@UseFilters(ProblemDetailsFilter)
@UseGuards(PushAuthGuard)
export class EventSourceController {
  constructor(
    private readonly streams: StreamRegistry,
    private readonly admission: StreamAdmission,
  ) {}

  @Sse()
  @AcceptsSessionCookie()
  events(
    @PushPrincipal() principal: Principal,
    @EventSourceParams(EventSourceQueryPipe) query: EventSourceQuery,
    @Req() request: IncomingMessage & { res: ServerResponse },
  ): Observable<MessageEvent> {
    // Admission happens here, not on subscription, so a full server answers 429 before any header.
    const slot = this.admission.admit(principal);
    const response = request.res;
    // Nest never subscribes when the client leaves during setup; the slot must not leak then.
    // A client that left while it was being authenticated closed the response already: its 'close'
    // event is gone, so waiting for it held the slot forever (a leak a test found).
    if (response.destroyed) slot.release();
    else
      response.once('close', () => {
        slot.release();
      });
    return new Observable<MessageEvent>((subscriber) => {
      const stream = this.streams.open(
        principal,
        query,
        lastEventIdOf(request),
        new SseMessageSink(subscriber, response),
        slot,
      );
      return () => {
        stream.close();
      };
    });
  }
}

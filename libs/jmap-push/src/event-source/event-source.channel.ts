import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authentication } from '../auth/authentication';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PingPolicy } from '../ping/ping-policy.interface';
import type { PushSettings } from '../push-settings';
import type { EventSourceQuery } from '../query/event-source-query';
import type { PushSink } from '../subscription/push-sink.interface';
import type { SubscriptionSpec } from '../subscription/subscription-spec';
import { SubscriptionAdmission } from '../subscription/subscription-admission';
import { SubscriptionRegistry } from '../subscription/subscription-registry';
import { eventStreamHeaders } from './event-stream-headers';

/** An admitted event-source request: its transport opens it with a sink and says when the client left. */
export interface AcceptedStream {
  readonly open: (sink: PushSink) => void;
  readonly left: () => void;
}

/** What both event-source transports share between the request and the subscription. */
@Injectable()
export class EventSourceChannel {
  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly admission: SubscriptionAdmission,
    @Inject(PingPolicy) private readonly pingPolicy: PingPolicy,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  get reconnectDelayMs(): number {
    return this.settings.reconnectDelayMs;
  }

  /**
   * Admits the request's subscription (429 problem details beyond the limits), before any header. No
   * subscription for a HEAD, which is answered here, nor for a client that left while it was being
   * authenticated: its response, or its connection when the response was queued behind another on it,
   * is closed already and no 'close' event is left to come.
   */
  accept(
    authentication: Authentication,
    query: EventSourceQuery,
    request: IncomingMessage,
    response: ServerResponse,
  ): AcceptedStream | undefined {
    if (request.method === 'HEAD') {
      this.answerHead(authentication, request, response);
      return undefined;
    }
    if (response.destroyed || request.socket.destroyed) return undefined;
    const subscription = this.registry.subscribe(authentication);
    const spec: SubscriptionSpec = {
      types: query.types,
      pingSeconds: this.pingPolicy.intervalFor(query.ping),
      closeAfterState: query.closeAfterState,
    };
    return {
      open: (sink) => {
        subscription.open(sink, lastEventIdOf(request), spec);
      },
      left: () => {
        subscription.end('clientLeft');
      },
    };
  }

  /**
   * RFC 9110 section 9.3.2: HEAD gets the head a GET would get, then the response ends. The limits are
   * checked as for GET (a 429 is part of the answer) but no slot is held.
   */
  private answerHead(authentication: Authentication, request: IncomingMessage, response: ServerResponse): void {
    this.admission.admit(authentication.principal);
    this.admission.release(authentication.principal.id);
    response.writeHead(200, eventStreamHeaders(request));
    response.end();
  }
}

/** The client's last event id on reconnection; `undefined` when absent or empty. */
function lastEventIdOf(request: IncomingMessage): string | undefined {
  const value = request.headers['last-event-id'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

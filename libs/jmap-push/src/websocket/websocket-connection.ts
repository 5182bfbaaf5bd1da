import type { Logger } from '@nestjs/common';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import type { Authentication } from '../auth/authentication';
import type { PushMetrics } from '../metrics/push-metrics';
import type { PingScheduler, PingTarget } from '../ping/ping-scheduler';
import type { ProblemDetails } from '../problem/problem-details';
import type { TypeRegistry } from '../state/type-registry';
import type { Subscription } from '../subscription/subscription';
import type { SubscriptionSpec } from '../subscription/subscription-spec';
import { describeError } from '../util/describe-error';
import { JmapRequestError } from './jmap-request-error';
import type { JmapRequest, JmapRequestHandler } from './jmap-request-handler.interface';
import { requestError, RequestProblem } from './websocket-frames';
import { parseClientMessage } from './websocket-messages';
import type { WebSocketSettings } from './websocket-settings';
import { WebSocketSink } from './websocket.sink';

/** Push off: the subscription listens for no type (it still holds the socket's slot). */
const PUSH_OFF: SubscriptionSpec = { types: new Set(), pingSeconds: 0, closeAfterState: false };

/** What a connection uses of the module. */
export interface WebSocketConnectionContext {
  readonly settings: WebSocketSettings;
  readonly handler: JmapRequestHandler;
  readonly types: TypeRegistry;
  readonly metrics: PushMetrics;
  readonly scheduler: PingScheduler;
  readonly logger: Logger;
}

/**
 * One JMAP WebSocket (RFC 8887): Requests run through the host's handler, at most
 * `maxConcurrentRequests` at once, answered in any order; `WebSocketPushEnable` / `Disable` (re)open
 * the socket's subscription with a types filter and a `pushState` to resume from; a WebSocket ping on
 * the shared timer finds dead peers. Whatever ends the socket ends the subscription, and the reverse.
 */
export class WebSocketConnection implements PingTarget {
  pingDueAt: number;
  private readonly sink: WebSocketSink;
  private readonly socket: Duplex;
  private inFlight = 0;
  private answeredPing = true;

  constructor(
    private readonly ws: WebSocket,
    socket: Duplex,
    private readonly authentication: Authentication,
    private readonly subscription: Subscription,
    private readonly context: WebSocketConnectionContext,
  ) {
    this.socket = socket;
    this.sink = new WebSocketSink(ws, socket);
    subscription.open(this.sink, undefined, PUSH_OFF);
    ws.on('message', (data, isBinary) => {
      this.receive(data, isBinary);
    });
    ws.on('pong', () => (this.answeredPing = true));
    ws.on('error', () => undefined); // `close` follows, and ends the subscription
    ws.once('close', () => {
      context.scheduler.unschedule(this);
      context.metrics.webSockets--;
      subscription.end('clientLeft');
    });
    context.metrics.webSockets++;
    context.metrics.webSocketsOpened++;
    this.pingDueAt = performance.now() + context.settings.pingIntervalSeconds * 1000;
    context.scheduler.schedule(this);
  }

  sendPing(now: number): void {
    if (!this.answeredPing) {
      // No pong since the last ping: the peer is gone without a FIN (a dead NAT, a sleeping phone).
      this.ws.terminate();
      return;
    }
    this.answeredPing = false;
    this.ws.ping();
    this.pingDueAt = now + this.context.settings.pingIntervalSeconds * 1000;
  }

  /** Closes the socket at once (the application is closing and the peer did not finish the handshake). */
  terminate(): void {
    this.ws.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      // RFC 8887 section 4.2: JMAP messages are text frames. 1003: a data type this endpoint cannot accept.
      this.ws.close(1003, 'JMAP messages are text frames');
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    if (bytes.length > this.context.settings.maxMessageBytes) {
      const limit = this.context.settings.maxMessageBytes;
      this.fail(RequestProblem.limit('maxSizeRequest', `A message may be at most ${limit} bytes`), undefined);
      return;
    }
    const message = parseClientMessage(bytes.toString('utf8'));
    switch (message.kind) {
      case 'request':
        void this.run(message.id, message.request);
        return;
      case 'pushEnable': {
        const types = message.dataTypes && new Set(message.dataTypes.filter((type) => this.context.types.has(type)));
        this.subscription.open(this.sink, message.pushState, { types, pingSeconds: 0, closeAfterState: false });
        return;
      }
      case 'pushDisable':
        this.subscription.open(this.sink, undefined, PUSH_OFF);
        return;
      case 'invalid':
        this.fail(message.problem, message.id);
    }
  }

  private async run(id: string | undefined, request: JmapRequest): Promise<void> {
    const max = this.context.settings.maxConcurrentRequests;
    if (this.inFlight >= max) {
      this.fail(RequestProblem.limit('maxConcurrentRequests', `At most ${max} requests may run at once`), id);
      return;
    }
    this.inFlight++;
    this.context.metrics.webSocketRequests++;
    try {
      const response = await this.context.handler.handle(request, this.authentication);
      this.send(
        JSON.stringify({
          '@type': 'Response',
          ...(id !== undefined && { requestId: id }),
          methodResponses: response.methodResponses,
          sessionState: response.sessionState,
          ...(response.createdIds !== undefined && { createdIds: response.createdIds }),
        }),
      );
    } catch (error) {
      if (error instanceof JmapRequestError) this.fail(error.problem, id);
      else {
        this.context.logger.error(`The JMAP request handler failed: ${describeError(error)}`);
        this.fail(RequestProblem.serverFail(), id);
      }
    } finally {
      this.inFlight--;
    }
  }

  private fail(problem: ProblemDetails, requestId: string | undefined): void {
    this.context.metrics.webSocketRequestErrors++;
    this.send(requestError(problem, requestId));
  }

  /**
   * A client that does not read its responses stops being read itself until it catches up, so the
   * responses it leaves unread are bounded by `maxConcurrentRequests`.
   */
  private send(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(text);
    if (this.socket.writableNeedDrain && !this.ws.isPaused) {
      this.ws.pause();
      this.socket.once('drain', () => {
        this.ws.resume();
      });
    }
  }
}

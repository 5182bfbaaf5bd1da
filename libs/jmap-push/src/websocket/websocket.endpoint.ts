import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { RequestAuthenticator } from '../auth/request-authenticator';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { PingScheduler } from '../ping/ping-scheduler';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import { ShuttingDownException } from '../problem/shutting-down.exception';
import type { PushSettings } from '../push-settings';
import { TypeRegistry } from '../state/type-registry';
import { SubscriptionRegistry } from '../subscription/subscription-registry';
import { describeError } from '../util/describe-error';
import { WebSocketConnection, type WebSocketConnectionContext } from './websocket-connection';
import { HandshakeProblem, JMAP_SUBPROTOCOL, offersJmap, originAllowed, refuseHandshake } from './websocket-handshake';
import type { WebSocketSettings } from './websocket-settings';
import { JmapRequestHandler } from './jmap-request-handler.interface';

/** How long closing sockets get to finish their closing handshake before they are cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * The JMAP WebSocket endpoint (RFC 8887), on the HTTP server's `upgrade` event: every refusal (401 with
 * its challenge, 400, 403, 429 with `Retry-After`) is an HTTP answer with problem details before any
 * 101, which Nest's `WsAdapter` cannot give. Each socket holds one subscription, and so one slot of the
 * stream limits, from the handshake until it closes.
 */
@Injectable()
export class WebSocketEndpoint implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('JmapPush');
  private readonly connections = new Set<WebSocketConnection>();
  private readonly settings: WebSocketSettings | undefined;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  /** Set while shutdown waits for the sockets' closing handshakes. */
  private onAllClosed: (() => void) | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.upgrade(request, socket, head);
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PUSH_SETTINGS) settings: PushSettings,
    private readonly authenticator: RequestAuthenticator,
    private readonly registry: SubscriptionRegistry,
    private readonly types: TypeRegistry,
    private readonly metrics: PushMetrics,
    private readonly scheduler: PingScheduler,
    @Inject(JmapRequestHandler) private readonly handler: JmapRequestHandler | null,
  ) {
    this.settings = settings.webSocket;
  }

  onApplicationBootstrap(): void {
    const settings = this.settings;
    if (!settings) return;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Framing each change once for every socket needs frames written as they are.
      perMessageDeflate: false,
      // A message over maxMessageBytes gets a RequestError and the socket stays; far larger ones close it.
      maxPayload: settings.maxMessageBytes * 2,
      handleProtocols: (protocols) => (protocols.has(JMAP_SUBPROTOCOL) ? JMAP_SUBPROTOCOL : false),
    });
    // Without this listener `ws` would answer a malformed handshake itself, in text/html.
    this.wss.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
      this.metrics.rejected('badRequest');
      refuseHandshake(socket, HandshakeProblem.malformed(error, request));
    });
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  /** Closing: no more handshakes. The registry's shutdown closes every socket with 1001. */
  onModuleDestroy(): void {
    this.server?.off('upgrade', this.onUpgrade);
  }

  /** Sockets whose peer did not finish the closing handshake in time are cut, so the server can close. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.connections.size > 0) {
      // Peers that answer the closing handshake at once do not wait for those that never will.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_GRACE_MS).unref();
        this.onAllClosed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    for (const connection of this.connections) connection.terminate();
    this.wss?.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const settings = this.settings as WebSocketSettings;
    const path = new URL(request.url ?? '/', 'http://host').pathname.replace(/\/+$/, '');
    if (path !== `/${settings.path}`) {
      // Another upgrade handler of the host's may own that path; alone, this endpoint answers it.
      if (this.server?.listenerCount('upgrade') === 1) {
        refuseHandshake(socket, ProblemDetailsException.plain(404, 'No WebSocket endpoint at this path'));
      }
      return;
    }
    socket.on('error', () => undefined); // a client that goes away mid-handshake is no error of ours
    void this.handshake(request, socket, head, settings);
  }

  private async handshake(request: IncomingMessage, socket: Duplex, head: Buffer, settings: WebSocketSettings) {
    try {
      const authentication = await this.authenticator.authenticate(request, true);
      if (!originAllowed(request, authentication, settings.allowedOrigins)) {
        this.metrics.rejected('forbidden');
        throw HandshakeProblem.forbiddenOrigin();
      }
      if (!offersJmap(request)) {
        this.metrics.rejected('badRequest');
        throw HandshakeProblem.noSubprotocol();
      }
      if (socket.destroyed) return;
      const subscription = this.registry.subscribe(authentication);
      const context: WebSocketConnectionContext = {
        settings,
        handler: this.handler as JmapRequestHandler,
        types: this.types,
        metrics: this.metrics,
        scheduler: this.scheduler,
        logger: this.logger,
      };
      let upgraded = false as boolean; // set by the callback, which `ws` calls at once on success
      (this.wss as WebSocketServer).handleUpgrade(request, socket, head, (ws) => {
        upgraded = true;
        const connection = new WebSocketConnection(ws, socket, authentication, subscription, context);
        this.connections.add(connection);
        ws.once('close', () => {
          this.connections.delete(connection);
          if (this.connections.size === 0) this.onAllClosed?.();
        });
      });
      // `ws` found the handshake malformed (answered through `wsClientError`) or the socket gone: the slot goes back.
      if (!upgraded) subscription.end('clientLeft');
    } catch (error) {
      if (error instanceof ShuttingDownException) socket.destroy();
      else if (error instanceof ProblemDetailsException) refuseHandshake(socket, error);
      else {
        this.logger.error(`WebSocket handshake failed: ${describeError(error)}`);
        refuseHandshake(socket, ProblemDetailsException.plain(500, 'The handshake could not be completed'));
      }
    }
  }
}

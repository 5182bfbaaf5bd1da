import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestAuthenticator } from '../auth/request-authenticator';
import type { Authentication } from '../auth/authentication';
import { PUSH_EXTRAS } from '../jmap-push.internal-constants';
import type { JmapPushModuleExtras } from '../jmap-push-options.interface';
import { answerWithProblem } from '../problem/answer-problem';
import { readRawQuery } from '../query/event-source-params.decorator';
import { EventSourceQueryPipe } from '../query/event-source-query.pipe';
import { openDirectStream } from './direct-event-source.controller';
import { EventSourceChannel } from './event-source.channel';
import { sharedEventStreamHeaders } from './event-stream-headers';

/** What this file reads of an Express 4/5 application and its router (no dependency on Express's types). */
interface ExpressLayer {
  readonly name?: string;
  readonly handle?: unknown;
  readonly route?: { readonly path?: unknown; readonly methods?: Record<string, boolean> };
  match(path: string): boolean;
}
interface ExpressApp {
  handle(request: IncomingMessage, response: ServerResponse, next?: unknown): void;
  enabled(setting: string): boolean;
  readonly router?: { readonly stack?: readonly ExpressLayer[] };
  readonly _router?: { readonly stack?: readonly ExpressLayer[] };
}
/** Nest's Express adapter: its per-request hooks (`setOnRequestHook`) run in a middleware of its own. */
interface ExpressAdapterHooks {
  readonly onRequestHook?: unknown;
  readonly onResponseHook?: unknown;
}

/** body-parser's middleware (Nest's own, or the host's `express.json()` and kin): nothing to do for a GET without a body. */
const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'rawParser', 'textParser']);

/**
 * The `direct` transport's event source, answered ahead of Express when nothing else would run for it.
 * Express re-prototypes every request and response it handles (`Object.setPrototypeOf`), and V8 then gives
 * each of them hidden classes of its own as properties are added: a held stream kept ~2 KiB of those alive,
 * and every property access on it in Node's HTTP code, Express's router and Nest's pipeline went through
 * megamorphic lookups. Connecting cost three times the bare `node:http` floor. So `Express.handle` is
 * wrapped: a plain `GET {path}` (no body) is authenticated, validated, admitted and answered here, by the
 * same `RequestAuthenticator`, `EventSourceQueryPipe`, `EventSourceChannel` and `DirectSink` as the route,
 * with the same answers (problem details included); every other request, and every request at all when the
 * host put something in front of the route, goes to Express and Nest's route as before.
 *
 * "Something in front" (checked once, at bootstrap, when Nest has registered middleware and routes): a
 * global prefix or versioning, global guards, interceptors or pipes, Nest's adapter hooks, or any Express
 * layer before the route that would run for the path other than body-parser: `app.use()` middleware, CORS,
 * Nest middleware, another route for the same path.
 */
@Injectable()
export class DirectRoute implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JmapPush');
  private readonly path: string;
  private app: ExpressApp | undefined;
  private original: ExpressApp['handle'] | undefined;
  private wrapper: ExpressApp['handle'] | undefined;
  private hooks: ExpressAdapterHooks = {};

  constructor(
    @Inject(PUSH_EXTRAS) private readonly extras: Required<JmapPushModuleExtras>,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ApplicationConfig,
    private readonly authenticator: RequestAuthenticator,
    private readonly queryPipe: EventSourceQueryPipe,
    private readonly channel: EventSourceChannel,
  ) {
    this.path = `/${extras.path}`;
  }

  /** Whether requests are answered here (for tests and for the startup log). */
  get active(): boolean {
    return this.wrapper !== undefined;
  }

  onApplicationBootstrap(): void {
    if (this.extras.transport !== 'direct') return;
    const adapter = this.adapterHost.httpAdapter as (ExpressAdapterHooks & { getType(): string }) | undefined;
    if (adapter?.getType() !== 'express') return;
    const app = this.adapterHost.httpAdapter.getInstance<ExpressApp>();
    const obstacle = this.obstacle(app);
    if (obstacle !== undefined) {
      this.logger.log(`The direct event source at ${this.path} runs through Express and Nest: ${obstacle}`);
      return;
    }
    this.app = app;
    this.hooks = adapter;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with Express as `this`, below
    const original = app.handle;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper's own `this` is Express's
    const route = this;
    const wrapper = function (this: ExpressApp, request: IncomingMessage, response: ServerResponse, next?: unknown) {
      if (route.takes(request)) route.serve(request, response);
      else original.call(this, request, response, next);
    };
    this.original = original;
    this.wrapper = wrapper;
    app.handle = wrapper;
  }

  /** Closing: Express and Nest's route answer again (the route refuses too while the app closes). */
  onModuleDestroy(): void {
    if (this.app && this.app.handle === this.wrapper && this.original) this.app.handle = this.original;
    this.wrapper = undefined;
  }

  /**
   * A request Express would hand to nothing but the route: `GET` of exactly the path (any other spelling,
   * a trailing slash or another case, takes Express's way), without a body, while Nest's adapter hooks are
   * unset. Cheap: it runs for every request of the application.
   */
  private takes(request: IncomingMessage): boolean {
    if (this.wrapper === undefined || request.method !== 'GET') return false;
    const url = request.url;
    const path = this.path;
    if (url === undefined || !url.startsWith(path)) return false;
    if (url.length !== path.length && url.charCodeAt(path.length) !== 0x3f /* ? */) return false;
    const headers = request.headers;
    if (headers['transfer-encoding'] !== undefined) return false;
    const length = headers['content-length'];
    if (length !== undefined && length !== '0') return false;
    return this.hooks.onRequestHook === undefined && this.hooks.onResponseHook === undefined;
  }

  /** The route's steps in the route's order: credentials (400/401/503), the URL (414), the query (400), limits (429). */
  private serve(request: IncomingMessage, response: ServerResponse): void {
    let authentication: Authentication | Promise<Authentication>;
    try {
      authentication = this.authenticator.authenticate(request, true);
    } catch (error) {
      this.refuse(response, error);
      return;
    }
    if (authentication instanceof Promise) {
      authentication.then(
        (found) => {
          this.open(found, request, response);
        },
        (error: unknown) => {
          this.refuse(response, error);
        },
      );
    } else {
      this.open(authentication, request, response);
    }
  }

  private open(authentication: Authentication, request: IncomingMessage, response: ServerResponse): void {
    try {
      const query = this.queryPipe.transform(readRawQuery(request.url as string));
      const poweredBy = (this.app as ExpressApp).enabled('x-powered-by');
      openDirectStream(
        this.channel,
        authentication,
        query,
        request,
        response,
        sharedEventStreamHeaders(request, poweredBy),
      );
    } catch (error) {
      this.refuse(response, error);
    }
  }

  private refuse(response: ServerResponse, error: unknown): void {
    // Express would have set it before anything else ran.
    if (!response.headersSent && (this.app as ExpressApp).enabled('x-powered-by')) {
      response.setHeader('X-Powered-By', 'Express');
    }
    answerWithProblem(response, error, this.logger);
  }

  /** Why this route cannot be answered ahead of Express, or `undefined` when it can. */
  private obstacle(app: ExpressApp): string | undefined {
    if (this.config.getGlobalPrefix()) return 'a global prefix is set';
    if (this.config.getVersioning()) return 'versioning is enabled';
    const enhancers =
      this.config.getGlobalGuards().length +
      this.config.getGlobalInterceptors().length +
      this.config.getGlobalPipes().length +
      this.config.getGlobalRequestGuards().length +
      this.config.getGlobalRequestInterceptors().length +
      this.config.getGlobalRequestPipes().length;
    if (enhancers > 0) return 'global guards, interceptors or pipes apply to it';
    const stack = (app.router ?? app._router)?.stack;
    if (!Array.isArray(stack)) return "Express's router was not found";
    const ours = (layer: ExpressLayer) => layer.route?.path === this.path && layer.route.methods?.get === true;
    // Which of two routes for the same path is the module's cannot be told.
    if (stack.filter(ours).length > 1) return 'two routes serve the path';
    for (const layer of stack as readonly ExpressLayer[]) {
      if (!layer.match(this.path)) continue;
      const route = layer.route;
      if (route) {
        if (ours(layer)) return undefined;
        if (route.methods?.get === true || route.methods?._all === true)
          return 'another route for the path comes first';
        continue;
      }
      if (layer.name !== undefined && BODY_PARSERS.has(layer.name)) continue;
      // Nest's adapter puts its hooks' middleware first; it does nothing while no hook is set (checked per request).
      if (typeof layer.handle === 'function' && String(layer.handle).includes('onRequestHook')) continue;
      return `middleware "${layer.name || 'anonymous'}" runs before it`;
    }
    return "the route was not found in Express's router";
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { JmapUser } from '../auth/jmap-user';
import { SessionStateService } from '../session/session-state.service';
import { WEBPUSH_VAPID_CAPABILITY, WEBSOCKET_CAPABILITY, type PushSubscriptionCaller } from 'jmap-push';
import { CORE_CAPABILITY, MAIL_CAPABILITY } from './capabilities';
import type { Invocation, JmapRequest, JmapResponse } from './jmap-request';
import type { MethodContext } from './method-context';
import { MethodError } from './method-error';
import { MethodRegistry } from './method-registry.service';
import { checkJmapRequest, parseJmapRequest } from './request-parser';
import { resolveResultReferences, type EarlierResponse } from './result-reference';

/**
 * The capabilities a request may name in `using`: the Session's (WebSocket and VAPID have no methods of
 * their own; PushSubscription is core).
 */
export const SUPPORTED_CAPABILITIES: ReadonlySet<string> = new Set([
  CORE_CAPABILITY,
  MAIL_CAPABILITY,
  WEBSOCKET_CAPABILITY,
  WEBPUSH_VAPID_CAPABILITY,
]);

/**
 * Runs a JMAP Request (RFC 8620 section 3): method calls in order, back-references resolved against
 * earlier responses, one shared creation-id map, and an `error` response for a failing call without
 * stopping the others.
 */
@Injectable()
export class RequestProcessor {
  private readonly logger = new Logger(RequestProcessor.name);

  constructor(
    private readonly methods: MethodRegistry,
    private readonly sessionState: SessionStateService,
  ) {}

  /**
   * Runs the Request of an HTTP body. Throws `ProblemDetailsException` for request-level errors; method
   * errors are in the response. `caller` is `user` with the credential the request came with.
   */
  process(body: Buffer, user: JmapUser, caller: PushSubscriptionCaller): Promise<JmapResponse> {
    return this.run(parseJmapRequest(body, SUPPORTED_CAPABILITIES), user, caller);
  }

  /** Runs a Request that arrived parsed (a WebSocket message), with the same checks and errors as `process`. */
  processParsed(parsed: unknown, user: JmapUser, caller: PushSubscriptionCaller): Promise<JmapResponse> {
    return this.run(checkJmapRequest(parsed, SUPPORTED_CAPABILITIES), user, caller);
  }

  private async run(request: JmapRequest, user: JmapUser, caller: PushSubscriptionCaller): Promise<JmapResponse> {
    const context: MethodContext = {
      user,
      caller,
      using: new Set(request.using),
      createdIds: new Map(Object.entries(request.createdIds ?? {})),
    };
    const methodResponses: Invocation[] = [];
    for (const [name, args, callId] of request.methodCalls) {
      const earlier: EarlierResponse[] = methodResponses.map(([responseName, responseArgs, id]) => ({
        name: responseName,
        args: responseArgs,
        callId: id,
      }));
      const called = this.call(name, args, callId, earlier, context);
      // Only a handler that returned a Promise is waited for: a Request of synchronous calls runs in one
      // go, as before, so nothing else (another Request, a delivery) runs between its calls.
      methodResponses.push(called instanceof Promise ? await called : called);
    }
    return {
      methodResponses,
      ...(request.createdIds !== undefined && { createdIds: Object.fromEntries(context.createdIds) }),
      sessionState: this.sessionState.stateFor(user),
    };
  }

  private call(
    name: string,
    args: Record<string, unknown>,
    callId: string,
    earlier: EarlierResponse[],
    context: MethodContext,
  ): Invocation | Promise<Invocation> {
    try {
      const method = this.methods.find(name);
      // RFC 8620 section 3.6.2: an unknown method and one whose capability is not in `using` are alike.
      if (!method || !context.using.has(method.capability)) {
        throw new MethodError('unknownMethod', `${name} is not a method of the capabilities in "using"`);
      }
      const resolved = resolveResultReferences(args, earlier);
      const result = method.handler(resolved, context);
      if (result instanceof Promise) {
        return result.then(
          (response): Invocation => [name, response, callId],
          (error: unknown) => this.errorResponse(name, error, callId),
        );
      }
      return [name, result, callId];
    } catch (error) {
      return this.errorResponse(name, error, callId);
    }
  }

  /** A `MethodError` as its response; anything else as `serverFail`, logged here and never shown to the client. */
  private errorResponse(name: string, error: unknown, callId: string): Invocation {
    if (error instanceof MethodError) return ['error', error.toResponse(), callId];
    this.logger.error(`${name} failed`, error instanceof Error ? error.stack : String(error));
    return ['error', { type: 'serverFail', description: 'The server failed to process this method call.' }, callId];
  }
}

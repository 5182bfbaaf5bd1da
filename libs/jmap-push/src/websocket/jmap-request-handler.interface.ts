import type { Authentication } from '../auth/authentication';
import type { MaybePromise } from '../util/maybe-promise';

/** An RFC 8620 section 3.3 Request object, as a client sent it over the WebSocket (without `@type` and `id`). */
export interface JmapRequest {
  readonly using: readonly string[];
  readonly methodCalls: readonly (readonly [string, Record<string, unknown>, string])[];
  readonly createdIds?: Readonly<Record<string, string>>;
}

/** An RFC 8620 section 3.4 Response object, as the host's API builds it. */
export interface JmapResponse {
  readonly methodResponses: readonly unknown[];
  readonly sessionState: string;
  readonly createdIds?: Readonly<Record<string, string>>;
}

/**
 * DI token of the host's JMAP method router, for JMAP over WebSocket (RFC 8887). The interface of the
 * same name says what it must do. Pass an instance as the `webSocket.requestHandler` module option.
 */
export const JmapRequestHandler = Symbol('JmapRequestHandler');

/**
 * Runs one JMAP Request for a principal, on the same code path as the host's HTTP API endpoint. The
 * library frames it (`@type`, `requestId`) and bounds how many run at once per socket.
 */
export interface JmapRequestHandler {
  /**
   * Returns the Response object. Throw `JmapRequestError` for a request-level error (RFC 8620 section
   * 3.6.1: `unknownCapability`, `notRequest`, `limit`); any other throw answers a RequestError with status
   * 500 and no details (they may hold internals).
   */
  handle(request: JmapRequest, authentication: Authentication): MaybePromise<JmapResponse>;
}

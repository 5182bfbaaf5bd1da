/** RFC 8620 section 3.2 Invocation: `[name, arguments, method call id]`. */
export type Invocation = [string, Record<string, unknown>, string];

/** RFC 8620 section 3.3 Request, after validation. */
export interface JmapRequest {
  readonly using: readonly string[];
  readonly methodCalls: readonly Invocation[];
  readonly createdIds?: Readonly<Record<string, string>>;
}

/** RFC 8620 section 3.4 Response. */
export interface JmapResponse {
  methodResponses: Invocation[];
  createdIds?: Record<string, string>;
  sessionState: string;
}

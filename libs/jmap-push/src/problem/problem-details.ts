/** An RFC 7807 problem details object, as every error of the event source is answered. */
export interface ProblemDetails {
  /** A URI naming the kind of problem: a JMAP error URN, or `about:blank`. */
  readonly type: string;
  /** The HTTP status, repeated in the body. */
  readonly status: number;
  /** A short summary of the kind of problem. */
  readonly title: string;
  /** What went wrong with this request, for a person to read. */
  readonly detail?: string;
  /** Extension members, e.g. `parameter` (which query parameter was wrong) or `limit`. */
  readonly [extension: string]: unknown;
}

/** The media type of RFC 7807 bodies. */
export const PROBLEM_JSON = 'application/problem+json';

/** Problem types a client of the event source can see. */
export const ProblemType = {
  /** RFC 8620 section 3.6.1: the request does not match the resource's signature (a bad query). */
  notRequest: 'urn:ietf:params:jmap:error:notRequest',
  /** RFC 8620 section 3.6.1: a limit was hit; the `limit` member names it. */
  limit: 'urn:ietf:params:jmap:error:limit',
  /** RFC 7807 section 4.2: nothing to add to the HTTP status (401, 503). */
  blank: 'about:blank',
} as const;

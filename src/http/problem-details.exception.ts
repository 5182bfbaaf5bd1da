import { HttpException } from '@nestjs/common';

/** RFC 7807 problem details, as RFC 8620 section 3.6.1 asks for request-level errors. */
export interface ProblemBody {
  readonly type: string;
  readonly status: number;
  readonly detail?: string;
  readonly [extension: string]: unknown;
}

/** JMAP request-level problem types (RFC 8620 section 3.6.1). */
export const JmapProblem = {
  unknownCapability: 'urn:ietf:params:jmap:error:unknownCapability',
  notJSON: 'urn:ietf:params:jmap:error:notJSON',
  notRequest: 'urn:ietf:params:jmap:error:notRequest',
  limit: 'urn:ietf:params:jmap:error:limit',
  blank: 'about:blank',
} as const;

/** An HTTP error answered as `application/problem+json`, with optional response headers. */
export class ProblemDetailsException extends HttpException {
  constructor(
    readonly problem: ProblemBody,
    readonly headers: Readonly<Record<string, string | readonly string[]>> = {},
  ) {
    super(problem, problem.status);
  }
}

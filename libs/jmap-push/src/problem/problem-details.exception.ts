import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ProblemType, type ProblemDetails } from './problem-details';

/** An HTTP error that `ProblemDetailsFilter` answers as `application/problem+json`, with its headers. */
export class ProblemDetailsException extends HttpException {
  constructor(
    readonly problem: ProblemDetails,
    readonly headers: Readonly<Record<string, string | readonly string[]>> = {},
  ) {
    super(problem, problem.status);
  }

  /** 400 for a bad event-source query, naming the parameter. */
  static badParameter(parameter: string, detail: string): ProblemDetailsException {
    return new ProblemDetailsException({
      type: ProblemType.notRequest,
      status: 400,
      title: 'Invalid event source parameter',
      detail,
      parameter,
    });
  }

  /** A status with no more to say than its reason phrase (401, 503). */
  static plain(status: number, detail: string, headers: Record<string, string | readonly string[]> = {}) {
    return new ProblemDetailsException(
      { type: ProblemType.blank, status, title: STATUS_CODES[status] ?? 'Error', detail },
      headers,
    );
  }
}

import { HttpException, type LoggerService } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_JSON, ProblemType, type ProblemDetails } from './problem-details';
import { ProblemDetailsException } from './problem-details.exception';
import { ShuttingDownException } from './shutting-down.exception';

/**
 * Answers an error of the event source as RFC 7807 problem details (RFC 8620 section 3.6.1), for
 * `ProblemDetailsFilter` and for the `direct` route that runs outside Nest. Errors that are not HTTP errors
 * become a bare 500: their messages may hold internals and never leave; they are logged.
 */
export function answerWithProblem(response: ServerResponse, error: unknown, logger: LoggerService): void {
  if (error instanceof ShuttingDownException) {
    // Closing: no answer at all, so the client retries elsewhere (see `ShuttingDownException`).
    response.destroy();
    return;
  }
  if (response.headersSent) {
    // The stream is already flowing: a client can only be told by the end of the response.
    response.end();
    return;
  }
  const { problem, headers } = toProblem(error, logger);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.statusCode = problem.status;
  response.setHeader('Content-Type', PROBLEM_JSON);
  response.setHeader('Cache-Control', 'no-store');
  response.end(JSON.stringify(problem));
}

function toProblem(
  error: unknown,
  logger: LoggerService,
): { problem: ProblemDetails; headers: ProblemDetailsException['headers'] } {
  if (error instanceof ProblemDetailsException) return { problem: error.problem, headers: error.headers };
  if (error instanceof HttpException) {
    // A host's own guard or interceptor (a throttler, say): keep its status, drop its body's internals.
    const status = error.getStatus();
    const title = STATUS_CODES[status] ?? 'Error';
    return { problem: { type: ProblemType.blank, status, title, detail: error.message }, headers: {} };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { problem: { type: ProblemType.blank, status: 500, title: STATUS_CODES[500] as string }, headers: {} };
}

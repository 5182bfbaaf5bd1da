import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_JSON, ProblemType, type ProblemDetails } from './problem-details';
import { ShuttingDownException } from './shutting-down.exception';
import { ProblemDetailsException } from './problem-details.exception';

/**
 * Answers every error of the event-source route as RFC 7807 problem details (RFC 8620 section 3.6.1).
 * Errors that are not HTTP errors become a bare 500: their messages may hold internals and never leave.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('JmapPush');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
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
    const { problem, headers } = this.toProblem(error);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.statusCode = problem.status;
    response.setHeader('Content-Type', PROBLEM_JSON);
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify(problem));
  }

  private toProblem(error: unknown): { problem: ProblemDetails; headers: ProblemDetailsException['headers'] } {
    if (error instanceof ProblemDetailsException) return { problem: error.problem, headers: error.headers };
    if (error instanceof HttpException) {
      // A host's own guard or interceptor (a throttler, say): keep its status, drop its body's internals.
      const status = error.getStatus();
      const title = STATUS_CODES[status] ?? 'Error';
      return { problem: { type: ProblemType.blank, status, title, detail: error.message }, headers: {} };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { problem: { type: ProblemType.blank, status: 500, title: STATUS_CODES[500] as string }, headers: {} };
  }
}

import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { HttpResponse } from './express-types';
import { ProblemDetailsException } from './problem-details.exception';

/**
 * Writes `ProblemDetailsException`s as RFC 7807 bodies, with the headers the event source's errors carry,
 * so a client sees one error format from the whole server. Other errors keep Nest's default handling.
 */
@Catch(ProblemDetailsException)
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: ProblemDetailsException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
    response.statusCode = exception.problem.status;
    response.setHeader('Content-Type', 'application/problem+json');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify(exception.problem));
  }
}

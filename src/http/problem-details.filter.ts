import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { HttpResponse } from './express-types';
import { ProblemDetailsException } from './problem-details.exception';

/** Writes `ProblemDetailsException`s as RFC 7807 bodies; other errors keep Nest's default handling. */
@Catch(ProblemDetailsException)
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: ProblemDetailsException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
    response.status(exception.problem.status).type('application/problem+json').send(JSON.stringify(exception.problem));
  }
}

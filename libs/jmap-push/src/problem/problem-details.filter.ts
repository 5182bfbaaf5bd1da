import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { answerWithProblem } from './answer-problem';

/** Answers every error of the module's routes as RFC 7807 problem details (see `answerWithProblem`). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('JmapPush');

  catch(error: unknown, host: ArgumentsHost): void {
    answerWithProblem(host.switchToHttp().getResponse<ServerResponse>(), error, this.logger);
  }
}

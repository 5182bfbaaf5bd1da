import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { HttpRequest } from '../http/express-types';
import { JmapAuthGuard } from '../auth/jmap-auth.guard';
import { CurrentUser } from '../auth/current-user.decorator';
import type { AuthenticatedUser } from '../auth/jmap-user';
import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { BodyTooLargeError, readBody } from '../http/read-body';
import { acquireApiSlot, limitProblem } from './api-slot';
import { CORE_LIMITS } from './capabilities';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { isJsonContentType } from './json-content-type';
import type { JmapResponse } from './jmap-request';
import { RequestProcessor } from './request-processor.service';

/** `POST` to the Session's `apiUrl`: one JMAP Request in, one Response out (RFC 8620 section 3). */
@Controller('jmap/api')
@UseGuards(JmapAuthGuard)
export class ApiController {
  constructor(
    private readonly processor: RequestProcessor,
    private readonly limiter: ConcurrencyLimiter,
  ) {}

  @Post()
  @HttpCode(200)
  async handle(@CurrentUser() user: AuthenticatedUser, @Req() request: HttpRequest): Promise<JmapResponse> {
    if (!isJsonContentType(request.headers['content-type'])) {
      throw new ProblemDetailsException({
        type: JmapProblem.notJSON,
        status: 400,
        detail: 'The request must have the content type application/json (RFC 8620 section 3.1).',
      });
    }
    const release = acquireApiSlot(this.limiter, user);
    try {
      const body = await readBody(request, CORE_LIMITS.maxSizeRequest).catch((error: unknown) => {
        if (error instanceof BodyTooLargeError)
          throw limitProblem(413, 'maxSizeRequest', `Requests are limited to ${CORE_LIMITS.maxSizeRequest} bytes.`);
        throw error;
      });
      // Awaited here, so the slot is held until the last method call has answered.
      return await this.processor.process(body, user, { principal: user, credentialId: user.credentialId });
    } finally {
      release();
    }
  }
}

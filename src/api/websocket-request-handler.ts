import { Injectable } from '@nestjs/common';
import {
  JmapRequestError,
  pushSubscriptionCaller,
  type Authentication,
  type JmapRequest as SocketRequest,
  type JmapRequestHandler,
  type JmapResponse as SocketResponse,
} from 'jmap-push';
import { STATUS_CODES } from 'node:http';
import { UserDirectory } from '../auth/user-directory.service';
import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { acquireApiSlot } from './api-slot';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { RequestProcessor } from './request-processor.service';

/**
 * JMAP over WebSocket (RFC 8887 section 4.3.3): each Request of a socket runs through the API's own
 * processor, with the checks (`using`, `maxCallsInRequest`), the per-user `maxConcurrentRequests` and
 * the request-level errors of `POST /jmap/api`. The module has already bounded the message's size
 * (`maxSizeRequest`) and parsed it.
 */
@Injectable()
export class WebSocketRequestHandler implements JmapRequestHandler {
  constructor(
    private readonly processor: RequestProcessor,
    private readonly limiter: ConcurrencyLimiter,
    private readonly users: UserDirectory,
  ) {}

  async handle(request: SocketRequest, authentication: Authentication): Promise<SocketResponse> {
    try {
      // The principal is the directory's own user (from a credential or a revalidated cookie); asking
      // again gives the API its accounts as they are granted now.
      const user = this.users.revalidate(authentication.principal);
      if (!user) {
        throw new ProblemDetailsException({
          type: JmapProblem.blank,
          status: 401,
          detail: 'The credentials of this socket are no longer valid.',
        });
      }
      const release = acquireApiSlot(this.limiter, user);
      try {
        // Awaited here, so the slot is held until the last method call has answered.
        // The socket's credential: its session for a cookie, else the one its handshake proved (the
        // directory's principals carry their credentialId); the principal as the directory has it now.
        const caller = { ...pushSubscriptionCaller(authentication), principal: user };
        return await this.processor.processParsed(request, user, caller);
      } finally {
        release();
      }
    } catch (error) {
      throw error instanceof ProblemDetailsException ? requestErrorOf(error) : error;
    }
  }
}

/** The HTTP API's problem, as the module answers it on the socket (RFC 8887 section 4.3.4). */
function requestErrorOf({ problem }: ProblemDetailsException): JmapRequestError {
  const title = typeof problem.title === 'string' ? problem.title : (STATUS_CODES[problem.status] ?? 'Error');
  return new JmapRequestError({ ...problem, title });
}

import { JmapPushError } from '../errors/jmap-push.error';
import type { ProblemDetails } from '../problem/problem-details';

/**
 * A request-level error (RFC 8620 section 3.6.1) that a `JmapRequestHandler` throws; the WebSocket
 * answers it as a RequestError (RFC 8887 section 4.3.4) with these problem details.
 */
export class JmapRequestError extends JmapPushError {
  override readonly name = 'JmapRequestError';

  constructor(readonly problem: ProblemDetails) {
    super(problem.detail ?? problem.title);
  }
}

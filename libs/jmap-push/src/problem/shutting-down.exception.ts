import { ServiceUnavailableException } from '@nestjs/common';

/**
 * A connection that arrives while the application closes. `ProblemDetailsFilter` drops the connection
 * instead of answering: every event-source client retries a network error (browsers' `EventSource`
 * with its `Last-Event-ID`), while a 503 would end a browser's `EventSource` for good. Any other filter
 * still sees a 503.
 */
export class ShuttingDownException extends ServiceUnavailableException {
  constructor() {
    super('The server is shutting down');
  }
}

import { joinJmapPushErrors } from './jmap-push.error';

/**
 * Thrown at startup, or by a bus's constructor, for options that would break the RFC or the server.
 * A `RangeError` (an option outside what is allowed) and a `JmapPushError`.
 */
export class JmapPushConfigError extends RangeError {
  override readonly name = 'JmapPushConfigError';
}

joinJmapPushErrors(JmapPushConfigError);

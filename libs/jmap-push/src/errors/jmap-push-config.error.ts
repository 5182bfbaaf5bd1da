import { JmapPushError } from './jmap-push.error';

/** Thrown at startup, or by a bus's constructor, for options that would break the RFC or the server. */
export class JmapPushConfigError extends JmapPushError {
  override readonly name = 'JmapPushConfigError';
}

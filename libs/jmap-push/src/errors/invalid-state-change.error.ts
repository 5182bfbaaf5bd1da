import { JmapPushError } from './jmap-push.error';

/**
 * The rejection of a publish (`StateChangeService.publish()`, `RedisPushBus.publish()`,
 * `publishStateChange()`) for input no stream could carry.
 */
export class InvalidStateChangeError extends JmapPushError {
  override readonly name = 'InvalidStateChangeError';
}

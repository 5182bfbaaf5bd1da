import { joinJmapPushErrors } from './jmap-push.error';

/**
 * The rejection of a publish (`StateChangeService.publish()`, `RedisPushBus.publish()`,
 * `publishStateChange()`) for input no stream could carry. A `TypeError` and a `JmapPushError`.
 */
export class InvalidStateChangeError extends TypeError {
  /** Lets callers tell it from other errors without `instanceof` (e.g. across package copies). */
  override readonly name = 'InvalidStateChangeError';
}

joinJmapPushErrors(InvalidStateChangeError);

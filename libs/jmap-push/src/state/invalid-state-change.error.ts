/** Thrown (as a rejection) by `StateChangeService.publish()` for input no stream could carry. */
export class InvalidStateChangeError extends TypeError {
  override readonly name = 'InvalidStateChangeError';
}

/** Thrown (as a rejection) by `StateChangeService.publish()` for input no stream could carry. */
export class InvalidStateChangeError extends TypeError {
  /** Lets callers tell it from other errors without `instanceof` (e.g. across package copies). */
  override readonly name = 'InvalidStateChangeError';
}

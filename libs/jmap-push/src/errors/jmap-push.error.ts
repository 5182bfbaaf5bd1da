/**
 * The mark every jmap-push error carries. `Symbol.for`, so that two copies of the package in one process
 * (a host's and a plugin's) still recognise each other's errors.
 */
const JMAP_PUSH_ERROR = Symbol.for('jmap-push.error');

/**
 * The base of the errors jmap-push throws or rejects with: `error instanceof JmapPushError` tells them
 * from anyone else's. Errors of a kind that callers already catch by its built-in class keep that class
 * (`InvalidStateChangeError` is a `TypeError`, `JmapPushConfigError` a `RangeError`) and join the family
 * through `joinJmapPushErrors`; that is why the family test reads a mark, not the prototype chain.
 */
export class JmapPushError extends Error {
  override readonly name: string = 'JmapPushError';

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype test; only `instanceof JmapPushError` itself reads the mark.
    if (this !== JmapPushError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && JMAP_PUSH_ERROR in value;
  }
}

/** Makes the instances of an error class count as `JmapPushError`s. @internal */
export function joinJmapPushErrors(errorClass: abstract new (...args: never[]) => Error): void {
  Object.defineProperty(errorClass.prototype, JMAP_PUSH_ERROR, { value: true });
}

joinJmapPushErrors(JmapPushError);

/** Method-level error types of RFC 8620 section 3.6.2 and the standard methods. */
export type MethodErrorType =
  | 'serverUnavailable'
  | 'serverFail'
  | 'serverPartialFail'
  | 'unknownMethod'
  | 'invalidArguments'
  | 'invalidResultReference'
  | 'forbidden'
  | 'accountNotFound'
  | 'accountNotSupportedByMethod'
  | 'accountReadOnly'
  | 'requestTooLarge'
  | 'stateMismatch'
  | 'cannotCalculateChanges'
  | 'anchorNotFound'
  | 'unsupportedSort'
  | 'unsupportedFilter'
  | 'tooManyChanges';

/** Aborts one method call: the processor answers `["error", {type, description}, callId]` and goes on. */
export class MethodError extends Error {
  constructor(
    readonly type: MethodErrorType,
    readonly description?: string,
  ) {
    super(description ?? type);
  }

  toResponse(): { type: MethodErrorType; description?: string } {
    return this.description === undefined ? { type: this.type } : { type: this.type, description: this.description };
  }
}

/** Shorthand for the most common one. */
export function invalidArguments(description: string): MethodError {
  return new MethodError('invalidArguments', description);
}

/** A SetError (RFC 8620 section 5.3): rejects one create, update or destroy, not the whole call. */
export class SetError extends Error {
  constructor(
    readonly type: string,
    readonly description?: string,
    readonly properties?: readonly string[],
  ) {
    super(description ?? type);
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      ...(this.description !== undefined && { description: this.description }),
      ...(this.properties !== undefined && { properties: this.properties }),
    };
  }
}

export function invalidProperties(properties: readonly string[], description?: string): SetError {
  return new SetError('invalidProperties', description, properties);
}

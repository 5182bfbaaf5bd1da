/** A method response of `PushSubscription/get` or `/set`: the name and the arguments (RFC 8620 section 3.4). */
export type PushSubscriptionResponse = readonly [string, Record<string, unknown>];

/** The method-level errors (RFC 8620 section 3.6.2) these methods answer with. */
export type PushSubscriptionMethodErrorType = 'invalidArguments' | 'forbidden' | 'requestTooLarge' | 'serverFail';

/** The SetErrors (RFC 8620 section 5.3) these methods answer with. */
export type PushSubscriptionSetErrorType =
  'invalidProperties' | 'invalidPatch' | 'notFound' | 'forbidden' | 'overQuota' | 'rateLimit';

/** Aborts the whole method call: it is answered `["error", {type, description}]`. */
export class PushSubscriptionMethodError extends Error {
  constructor(
    readonly type: PushSubscriptionMethodErrorType,
    readonly description: string,
  ) {
    super(description);
  }

  toResponse(): PushSubscriptionResponse {
    return ['error', { type: this.type, description: this.description }];
  }
}

/** Rejects one create, update or destroy; the others go on. */
export class PushSubscriptionSetError extends Error {
  constructor(
    readonly type: PushSubscriptionSetErrorType,
    readonly description: string,
    readonly properties?: readonly string[],
  ) {
    super(description);
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      description: this.description,
      ...(this.properties && { properties: [...this.properties] }),
    };
  }
}

/** Shorthand for the most common method error. */
export function invalidArguments(description: string): PushSubscriptionMethodError {
  return new PushSubscriptionMethodError('invalidArguments', description);
}

/** Shorthand for the most common SetError: `properties` are the offending ones. */
export function invalidProperties(properties: readonly string[], description: string): PushSubscriptionSetError {
  return new PushSubscriptionSetError('invalidProperties', description, properties);
}

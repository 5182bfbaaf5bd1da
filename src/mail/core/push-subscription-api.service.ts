import { Injectable, OnModuleInit } from '@nestjs/common';
import { PushSubscriptionMethods, type PushSubscriptionResponse } from 'jmap-push';
import { CORE_CAPABILITY } from '../../api/capabilities';
import { MethodError, type MethodErrorType } from '../../api/method-error';
import { MethodRegistry } from '../../api/method-registry.service';

/**
 * `PushSubscription/get` and `/set` (RFC 8620 section 7.2), core methods: the push module keeps the
 * subscriptions and delivers them; the API hands it the arguments and the caller's credential, which
 * the subscriptions belong to.
 */
@Injectable()
export class PushSubscriptionApi implements OnModuleInit {
  constructor(
    private readonly registry: MethodRegistry,
    private readonly methods: PushSubscriptionMethods,
  ) {}

  onModuleInit(): void {
    this.registry.register('PushSubscription/get', CORE_CAPABILITY, (args, context) =>
      answer(this.methods.get(args, context.caller)),
    );
    this.registry.register('PushSubscription/set', CORE_CAPABILITY, (args, context) =>
      answer(this.methods.set(args, context.caller)),
    );
  }
}

/** The module's `[name, args]` as the processor takes it: the arguments, or a thrown `MethodError`. */
async function answer(response: Promise<PushSubscriptionResponse>): Promise<Record<string, unknown>> {
  const [name, args] = await response;
  if (name !== 'error') return args;
  // The module answers method errors of RFC 8620 section 3.6.2 only (invalidArguments, forbidden, ...).
  const description = typeof args.description === 'string' ? args.description : undefined;
  throw new MethodError(args.type as MethodErrorType, description);
}

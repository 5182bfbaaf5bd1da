import { Inject, Injectable, Logger } from '@nestjs/common';
import { TypeRegistry } from '../state/type-registry';
import { describeError } from '../util/describe-error';
import { CreationRate } from './creation-rate';
import { DeliverySignal } from './delivery-signal';
import { KeyedSerializer } from './keyed-serializer';
import { credentialIdOf, type PushSubscriptionCaller } from './push-subscription-caller';
import { PushSubscriptionMethodError, type PushSubscriptionResponse } from './push-subscription-errors';
import { getPushSubscriptions } from './push-subscription-get';
import { setPushSubscriptions } from './push-subscription-set';
import { PushSubscriptionStore } from './push-subscription-store.interface';
import { WEB_PUSH_SETTINGS } from './web-push.internal-constants';
import type { WebPushSettings } from './web-push-settings';

/**
 * `PushSubscription/get` and `PushSubscription/set` (RFC 8620 sections 7.2.1 and 7.2.2), for the host's
 * JMAP API to call with the method's arguments and who called: jmap-push owns no JMAP API endpoint.
 *
 * Each answers `[name, arguments]`, the method response to put in the JMAP response with the call id,
 * or `['error', { type, description }]`, a method-level error. Neither throws: bad arguments are
 * `invalidArguments` (or `forbidden`, `requestTooLarge`), and a failing store is `serverFail`.
 */
@Injectable()
export class PushSubscriptionMethods {
  private readonly logger = new Logger('JmapPush');
  private readonly creations: CreationRate;
  /** One `/set` per credential at a time, so the quota and rate checks see each other's creates. */
  private readonly perCredential = new KeyedSerializer();

  /** @internal */
  constructor(
    @Inject(PushSubscriptionStore) private readonly store: PushSubscriptionStore,
    @Inject(WEB_PUSH_SETTINGS) private readonly settings: WebPushSettings,
    private readonly types: TypeRegistry,
    private readonly signal: DeliverySignal,
  ) {
    this.creations = new CreationRate(settings.maxCreationsPerMinute);
  }

  /** `PushSubscription/get`: the caller's credential's subscriptions, without `url` and `keys`. */
  get(args: unknown, caller: PushSubscriptionCaller): Promise<PushSubscriptionResponse> {
    return this.answer('PushSubscription/get', () => getPushSubscriptions(this.store, args, caller, Date.now()));
  }

  /** `PushSubscription/set`: creates (sending each a PushVerification), updates and destroys. */
  set(args: unknown, caller: PushSubscriptionCaller): Promise<PushSubscriptionResponse> {
    return this.answer('PushSubscription/set', () =>
      this.perCredential.run(credentialIdOf(caller), () =>
        setPushSubscriptions(
          {
            store: this.store,
            settings: this.settings,
            types: this.types,
            creations: this.creations,
            signal: this.signal,
          },
          args,
          caller,
          Date.now(),
        ),
      ),
    );
  }

  private async answer(name: string, run: () => Promise<Record<string, unknown>>): Promise<PushSubscriptionResponse> {
    try {
      return [name, await run()];
    } catch (error) {
      if (error instanceof PushSubscriptionMethodError) return error.toResponse();
      // The message only: a store's error never carries a subscription's URL or keys, but a stack might.
      this.logger.error(`${name} failed: ${describeError(error)}`);
      return ['error', { type: 'serverFail', description: `${name} failed on the server` }];
    }
  }
}

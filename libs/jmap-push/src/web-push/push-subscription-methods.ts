import { Inject, Injectable, Logger } from '@nestjs/common';
import { PushMetrics } from '../metrics/push-metrics';
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
 * `invalidArguments` (or `forbidden`, `requestTooLarge`), and a failing store is `serverFail`. Without
 * the module's `webPush` option both answer `unknownMethod`, as a server without PushSubscription would.
 */
@Injectable()
export class PushSubscriptionMethods {
  private readonly logger = new Logger('JmapPush');
  private readonly creations: CreationRate | undefined;
  /** One `/set` per credential at a time, so the quota and rate checks see each other's creates. */
  private readonly perCredential = new KeyedSerializer();

  /** @internal */
  constructor(
    @Inject(PushSubscriptionStore) private readonly store: PushSubscriptionStore | null,
    @Inject(WEB_PUSH_SETTINGS) private readonly settings: WebPushSettings | null,
    private readonly types: TypeRegistry,
    private readonly signal: DeliverySignal,
    private readonly metrics: PushMetrics,
  ) {
    this.creations = settings ? new CreationRate(settings.maxCreationsPerMinute) : undefined;
  }

  /** `PushSubscription/get`: the caller's credential's subscriptions, without `url` and `keys`. */
  get(args: unknown, caller: PushSubscriptionCaller): Promise<PushSubscriptionResponse> {
    return this.answer('PushSubscription/get', ({ store }) => getPushSubscriptions(store, args, caller, Date.now()));
  }

  /** `PushSubscription/set`: creates (sending each a PushVerification), updates and destroys. */
  set(args: unknown, caller: PushSubscriptionCaller): Promise<PushSubscriptionResponse> {
    return this.answer('PushSubscription/set', async (deps) => {
      const response = await this.perCredential.run(credentialIdOf(caller), () =>
        setPushSubscriptions({ ...deps, types: this.types, signal: this.signal }, args, caller, Date.now()),
      );
      const { created, destroyed } = response as { created: object | null; destroyed: unknown[] | null };
      this.metrics.pushSubscriptionsCreated += created ? Object.keys(created).length : 0;
      if (destroyed) this.metrics.pushSubscriptionDestroyed('client', destroyed.length);
      return response;
    });
  }

  private async answer(
    name: string,
    run: (deps: {
      store: PushSubscriptionStore;
      settings: WebPushSettings;
      creations: CreationRate;
    }) => Promise<Record<string, unknown>>,
  ): Promise<PushSubscriptionResponse> {
    const { store, settings, creations } = this;
    if (!store || !settings || !creations) {
      return [
        'error',
        { type: 'unknownMethod', description: `${name} is not offered: Web Push is off on this server` },
      ];
    }
    try {
      return [name, await run({ store, settings, creations })];
    } catch (error) {
      if (error instanceof PushSubscriptionMethodError) return error.toResponse();
      // The message only: a store's error never carries a subscription's URL or keys, but a stack might.
      this.logger.error(`${name} failed: ${describeError(error)}`);
      return ['error', { type: 'serverFail', description: `${name} failed on the server` }];
    }
  }
}

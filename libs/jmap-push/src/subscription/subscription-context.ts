import type { Logger } from '@nestjs/common';
import type { PushBus } from '../bus/push-bus.interface';
import type { PushMetrics } from '../metrics/push-metrics';
import type { PingScheduler } from '../ping/ping-scheduler';
import type { StallWatch } from './stall-watch';
import type { SubscriptionAdmission } from './subscription-admission';
import type { SubscriptionIndex } from './subscription-index';

/** What a subscription uses of the module, handed over by `SubscriptionRegistry`. */
export interface SubscriptionContext {
  readonly admission: SubscriptionAdmission;
  readonly index: SubscriptionIndex;
  readonly bus: PushBus;
  readonly scheduler: PingScheduler;
  readonly stallWatch: StallWatch;
  readonly metrics: PushMetrics;
  readonly logger: Logger;
}

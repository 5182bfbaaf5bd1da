import type { Logger } from '@nestjs/common';
import type { PushMetrics, PushSubscriptionDestroyReason } from '../metrics/push-metrics';
import type { PushOutcome } from './push-outcome';
import { pushVerification, splitStateChange } from './push-payload';
import type { PushSender } from './push-sender';
import type { DeliveryClaim, DeliveryResult } from './push-subscription';
import { topicFor } from './push-topic';
import { urgencyOf } from './push-urgency';
import { retryDelay } from './retry-delay';
import { staleReason } from './subscription-retirement';
import type { WebPushSettings } from './web-push-settings';

/** What to do with a claim once its requests are over: settle it in the store, or destroy its subscription. */
export type ClaimAction =
  | { readonly kind: 'settle'; readonly result: DeliveryResult }
  | { readonly kind: 'destroy'; readonly reason: PushSubscriptionDestroyReason };

/** What an attempt needs. */
export interface PushAttemptContext {
  readonly sender: PushSender;
  readonly settings: WebPushSettings;
  readonly metrics: PushMetrics;
  readonly logger: Logger;
}

const DONE: ClaimAction = { kind: 'settle', result: { outcome: 'done' } };

/**
 * Sends what one claim holds and decides what becomes of it, by RFC 8620 section 7.2 and RFC 8030:
 * a PushVerification alone while the subscription is unverified (nothing else may go to the URL before),
 * else the pending changes as StateChanges (split by account when one would not fit a push message).
 *
 * 2xx: done. 404/410: the push service forgot the subscription, destroy it. 429, 5xx, timeouts and
 * network failures: back off (doubling, with jitter, never sooner than `Retry-After`) while newer changes
 * merge into the waiting push, so a 429 reduces the frequency of pushes as RFC 8620 requires. Any other
 * status: dropped and counted (sending it again would only be refused again). Refused by the SSRF guard:
 * the URL can never be used, destroy the subscription.
 */
export async function attemptPush(claim: DeliveryClaim, context: PushAttemptContext): Promise<ClaimAction> {
  const { subscription, pending } = claim;
  const { sender, settings, metrics } = context;
  const target = { url: subscription.url, keys: subscription.keys };
  const topic = topicFor(subscription.id);
  if (!subscription.verified) {
    // Only a verification can be pending for an unverified subscription: changes are queued for verified ones.
    if (!pending.verification) return DONE;
    const stale = staleReason(subscription, settings, Date.now());
    if (stale) return { kind: 'destroy', reason: stale };
    const body = pushVerification(subscription.id, subscription.verificationCode);
    const outcome = await sender.send(target, body, { urgency: settings.defaultUrgency, topic });
    if (outcome.kind === 'delivered') metrics.pushVerificationsSent++;
    return judge(outcome, claim, context);
  }
  // Verified: a verification still owed (it was retried while the client already verified with the code
  // it got) has nothing left to do, so only the changes go.
  const { bodies, omitted } = splitStateChange(pending.changes);
  if (omitted.length > 0) {
    context.logger.warn(
      `${omitted.length} state(s) of subscription ${subscription.id} are too large for any push and were left out`,
    );
  }
  const urgency = urgencyOf(pending.changes, settings);
  // RFC 8030 section 5.4: a push replaces an undelivered one of its Topic. A change cut into several
  // bodies goes without one, or the push service would keep only the last part.
  const headers = bodies.length === 1 ? { urgency, topic } : { urgency };
  for (const body of bodies) {
    // Checked before every request: a long retry must not carry a push past `expires`.
    const stale = staleReason(subscription, settings, Date.now());
    if (stale) return { kind: 'destroy', reason: stale };
    const outcome = await sender.send(target, body, headers);
    if (outcome.kind !== 'delivered') return judge(outcome, claim, context);
    metrics.pushesSent++;
  }
  return DONE;
}

function judge(outcome: PushOutcome, claim: DeliveryClaim, context: PushAttemptContext): ClaimAction {
  const { metrics, logger, settings } = context;
  const id = claim.subscription.id;
  switch (outcome.kind) {
    case 'delivered':
      return DONE;
    case 'gone':
      return { kind: 'destroy', reason: 'gone' };
    case 'retry': {
      metrics.pushesRetried++;
      const at = Date.now() + retryDelay(claim.attempt, outcome.retryAfterMs, settings);
      return { kind: 'settle', result: { outcome: 'retry', at } };
    }
    case 'rejected':
      metrics.pushesRejected++;
      // The subscription id, never the URL: the URL is a capability of the user's device.
      logger.warn(`The push service refused a push to subscription ${id} with ${outcome.status}; it was dropped`);
      return DONE;
    case 'refused':
      metrics.pushesRefusedBySsrf++;
      logger.warn(`Push subscription ${id} was destroyed: its push service address is refused (${outcome.reason})`);
      return { kind: 'destroy', reason: 'refused' };
  }
}

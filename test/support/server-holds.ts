import { PingScheduler } from 'jmap-push/ping/ping-scheduler';
import { StallWatch } from 'jmap-push/subscription/stall-watch';
import { SubscriptionAdmission } from 'jmap-push/subscription/subscription-admission';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import type { PushApp } from './push-app';
import { waitUntil } from './wait';

/** The server's leak counters: open streams, admitted slots, streams waiting for a ping or watched as stalled. */
export interface ServerHolds {
  streams: number;
  slots: number;
  pings: number;
  stalled: number;
  open: number;
}

/** What the server holds once every client is gone. */
export const NOTHING_HELD: ServerHolds = { streams: 0, slots: 0, pings: 0, stalled: 0, open: 0 };

export function serverHolds(push: PushApp): ServerHolds {
  return {
    streams: push.app.get(SubscriptionRegistry).size,
    slots: push.app.get(SubscriptionAdmission).held,
    pings: push.app.get(PingScheduler).size,
    stalled: push.app.get(StallWatch).size,
    open: push.metrics.snapshot().openStreams,
  };
}

/** Resolves once the server holds nothing for streams (clients' closes reach it asynchronously). */
export async function waitForIdle(push: PushApp, timeoutMs = 5000): Promise<void> {
  await waitUntil(
    () => Object.values(serverHolds(push)).every((count) => count === 0),
    `the server holds no stream (it holds ${JSON.stringify(serverHolds(push))})`,
    timeoutMs,
  );
}

import { Injectable } from '@nestjs/common';

/** Why a connection attempt was turned away. */
export type RejectionReason = 'unauthorized' | 'badRequest' | 'forbidden' | 'tooManyStreams' | 'unavailable';

/**
 * Why a push subscription was destroyed: the client destroyed it, the push service forgot it (404/410),
 * its credential was revoked or signed out, it expired, its URL is refused by the SSRF guard, or it was
 * made under a VAPID key that is no longer configured (RFC 9749 section 5).
 */
export type PushSubscriptionDestroyReason = 'client' | 'gone' | 'revoked' | 'expired' | 'refused' | 'keyRotated';

/** A point-in-time copy of the counters, safe to serialise (e.g. for a Prometheus exporter). */
export interface PushMetricsSnapshot {
  /** Subscriptions held now: event-source streams and WebSockets (each holds one from its handshake). */
  readonly openStreams: number;
  /** JMAP WebSockets open now. */
  readonly webSockets: number;
  /** JMAP WebSockets opened since start. */
  readonly webSocketsOpened: number;
  /** JMAP Requests received over WebSockets. */
  readonly webSocketRequests: number;
  /** RequestErrors sent over WebSockets (malformed messages, limits, handler failures). */
  readonly webSocketRequestErrors: number;
  /** Streams opened since start. */
  readonly streamsOpened: number;
  /** `event: state` frames written (replays included). */
  readonly stateEvents: number;
  /** `event: ping` frames written. */
  readonly pings: number;
  /** Connections that sent `Last-Event-ID` and got a replay or the latest states. */
  readonly replays: number;
  /** Changes merged into a pending event because the client was not reading fast enough. */
  readonly merges: number;
  /** Changes published through this process. */
  readonly published: number;
  /** Connection attempts turned away, by reason (401, 400, 403, 429, 503). */
  readonly rejections: Readonly<Record<RejectionReason, number>>;
  /** Push subscriptions created through `PushSubscription/set` on this process. */
  readonly pushSubscriptionsCreated: number;
  /** Push subscriptions destroyed by this process, by reason. */
  readonly pushSubscriptionsDestroyed: Readonly<Record<PushSubscriptionDestroyReason, number>>;
  /** PushVerification messages the push service accepted (2xx). */
  readonly pushVerificationsSent: number;
  /** StateChange messages the push service accepted (2xx). */
  readonly pushesSent: number;
  /** Changes merged into a push that was already pending (coalesced while waiting or backing off). */
  readonly pushesMerged: number;
  /** Push requests to be sent again later (429, 5xx, timeouts, network failures). */
  readonly pushesRetried: number;
  /** Pushes the push service refused with another status (other 4xx, 3xx): dropped. */
  readonly pushesRejected: number;
  /** Pushes not sent because the URL's host resolved to an address the SSRF guard refuses. */
  readonly pushesRefusedBySsrf: number;
}

/**
 * Counters of the push endpoint, readable from anywhere: inject it and call `snapshot()`.
 * The counters themselves are written by the module on its hot paths, as plain fields.
 */
@Injectable()
export class PushMetrics {
  /** @internal */ openStreams = 0;
  /** @internal */ webSockets = 0;
  /** @internal */ webSocketsOpened = 0;
  /** @internal */ webSocketRequests = 0;
  /** @internal */ webSocketRequestErrors = 0;
  /** @internal */ streamsOpened = 0;
  /** @internal */ stateEvents = 0;
  /** @internal */ pings = 0;
  /** @internal */ replays = 0;
  /** @internal */ merges = 0;
  /** @internal */ published = 0;
  /** @internal */ pushSubscriptionsCreated = 0;
  /** @internal */ pushVerificationsSent = 0;
  /** @internal */ pushesSent = 0;
  /** @internal */ pushesMerged = 0;
  /** @internal */ pushesRetried = 0;
  /** @internal */ pushesRejected = 0;
  /** @internal */ pushesRefusedBySsrf = 0;
  private readonly pushSubscriptionsDestroyed: Record<PushSubscriptionDestroyReason, number> = {
    client: 0,
    gone: 0,
    revoked: 0,
    expired: 0,
    refused: 0,
    keyRotated: 0,
  };
  private readonly rejections: Record<RejectionReason, number> = {
    unauthorized: 0,
    badRequest: 0,
    tooManyStreams: 0,
    forbidden: 0,
    unavailable: 0,
  };

  /** @internal */
  rejected(reason: RejectionReason): void {
    this.rejections[reason]++;
  }

  /** @internal */
  pushSubscriptionDestroyed(reason: PushSubscriptionDestroyReason, count = 1): void {
    this.pushSubscriptionsDestroyed[reason] += count;
  }

  /** The counters now, as a plain object. */
  snapshot(): PushMetricsSnapshot {
    return {
      openStreams: this.openStreams,
      webSockets: this.webSockets,
      webSocketsOpened: this.webSocketsOpened,
      webSocketRequests: this.webSocketRequests,
      webSocketRequestErrors: this.webSocketRequestErrors,
      streamsOpened: this.streamsOpened,
      stateEvents: this.stateEvents,
      pings: this.pings,
      replays: this.replays,
      merges: this.merges,
      published: this.published,
      rejections: { ...this.rejections },
      pushSubscriptionsCreated: this.pushSubscriptionsCreated,
      pushSubscriptionsDestroyed: { ...this.pushSubscriptionsDestroyed },
      pushVerificationsSent: this.pushVerificationsSent,
      pushesSent: this.pushesSent,
      pushesMerged: this.pushesMerged,
      pushesRetried: this.pushesRetried,
      pushesRejected: this.pushesRejected,
      pushesRefusedBySsrf: this.pushesRefusedBySsrf,
    };
  }
}

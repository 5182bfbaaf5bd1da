import { Injectable } from '@nestjs/common';

/** Why a connection attempt was turned away. */
export type RejectionReason = 'unauthorized' | 'badRequest' | 'forbidden' | 'tooManyStreams' | 'unavailable';

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
    };
  }
}

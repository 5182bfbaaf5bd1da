import type { Authenticator } from './auth/authenticator.interface';
import type { BrowserSessionOptions } from './auth/browser-session-options.interface';
import type { PushBus } from './bus/push-bus.interface';
import type { PingPolicy } from './ping/ping-policy.interface';
import type { WebPushOptions } from './web-push/web-push-options.interface';
import type { WebSocketOptions } from './websocket/websocket-options.interface';

/** Options of `JmapPushModule.forRoot()` / `forRootAsync()`'s factory. Only `authenticator` is required. */
export interface JmapPushModuleOptions {
  /** The host's user directory: who may connect, and which accounts each principal may read. */
  authenticator: Authenticator;
  /** Carries changes to streams; default: an in-memory bus for one process. See `jmap-push/redis`. */
  bus?: PushBus;
  /** Decides the ping interval a stream gets; default: `ClampingPingPolicy` over `ping.min`/`ping.max`. */
  pingPolicy?: PingPolicy;
  /** Ping bounds in seconds for the default policy: defaults 5 and 300; min above 30 or max below 300 is refused. */
  ping?: { min?: number; max?: number };
  /** Type names beyond the RFC 8620/8621/9610 defaults that clients may name in `types` (e.g. `CalendarEvent`). */
  types?: readonly string[];
  /** The `realm` of the Basic challenge; default `JMAP`. */
  realm?: string;
  /** Streams one principal may hold at once; default 32. */
  maxStreamsPerPrincipal?: number;
  /** Streams this process holds at once; default 20,000. */
  maxStreams?: number;
  /** Seconds a client told 429 should wait (`Retry-After`); default 5. */
  retryAfterSeconds?: number;
  /** Reconnection delay in milliseconds sent as `retry:` on every stream's first frame; default 2,000. */
  reconnectDelayMs?: number;
  /** Changes the default in-memory bus keeps for `Last-Event-ID` replay; default 10,000. */
  historySize?: number;
  /** Milliseconds the authenticator may take before the client gets 503; default 5,000. */
  authenticationTimeoutMs?: number;
  /** Milliseconds a client may leave every write unread before its connection is destroyed; default 60,000. */
  stalledStreamTimeoutMs?: number;
  /**
   * Milliseconds between re-checks of open streams' principals through `Authenticator.revalidate`
   * (when the authenticator has it): a revoked grant stops flowing within this time. Default 60,000.
   */
  revalidateIntervalMs?: number;
  /** Sign-in for browsers' `EventSource` with a signed `HttpOnly` cookie; off unless given. */
  browserSessions?: BrowserSessionOptions;
  /** JMAP over WebSocket (RFC 8887) with push, at `webSocket.path`; off unless given. */
  webSocket?: WebSocketOptions;
  /**
   * PushSubscription (RFC 8620 section 7.2) delivered by Web Push with VAPID (RFC 8030, 8291, 8292,
   * 9749): the host's JMAP API calls `PushSubscriptionMethods`; off unless given.
   */
  webPush?: WebPushOptions;
}

/** Options fixed when the module is defined (they shape routes): valid in `forRoot` and `forRootAsync`. */
export interface JmapPushModuleExtras {
  /** Route of the event source; default `jmap/eventsource`. */
  path?: string;
  /** `sse`: Nest's `@Sse` (the default). `direct`: frames written to the socket, for many thousands of streams. */
  transport?: 'sse' | 'direct';
  /** Makes `StateChangeService` and the other exports injectable everywhere; default false. */
  isGlobal?: boolean;
  /**
   * Mounts browser sign-in (`POST`/`DELETE {path}/session`). Default: with `forRoot`, whether
   * `browserSessions` is given; with `forRootAsync`, false (its options are not known yet), so a
   * `forRootAsync` host that sets `browserSessions` sets this too (startup fails otherwise).
   */
  browserSignIn?: boolean;
}

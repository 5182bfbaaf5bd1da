import { Module } from '@nestjs/common';
import { Authenticator } from './auth/authenticator.interface';
import { BrowserSessions } from './auth/browser-sessions';
import { PushAuthGuard } from './auth/push-auth.guard';
import { RequestAuthenticator } from './auth/request-authenticator';
import { InMemoryPushBus } from './bus/in-memory-push-bus';
import { PushBus } from './bus/push-bus.interface';
import { PUSH_SETTINGS } from './jmap-push.internal-constants';
import { ConfigurableModuleClass, JMAP_PUSH_MODULE_OPTIONS } from './jmap-push.module-definition';
import type { JmapPushModuleOptions } from './jmap-push-options.interface';
import { PushMetrics } from './metrics/push-metrics';
import { ClampingPingPolicy } from './ping/clamping-ping-policy';
import { PingPolicy } from './ping/ping-policy.interface';
import { PingScheduler } from './ping/ping-scheduler';
import { resolvePushSettings, type PushSettings } from './push-settings';
import { EventSourceQueryPipe } from './query/event-source-query.pipe';
import { JmapPushSession } from './session/jmap-push-session';
import { StateChangeService } from './bus/state-change.service';
import { TypeRegistry } from './state/type-registry';
import { DirectRoute } from './event-source/direct-route';
import { EventSourceChannel } from './event-source/event-source.channel';
import { JmapRequestHandler } from './websocket/jmap-request-handler.interface';
import { WebSocketEndpoint } from './websocket/websocket.endpoint';
import { PrincipalRevalidator } from './subscription/principal-revalidator';
import { StallWatch } from './subscription/stall-watch';
import { SubscriptionAdmission } from './subscription/subscription-admission';
import { SubscriptionRegistry } from './subscription/subscription-registry';
import { DeliverySignal } from './web-push/delivery-signal';
import { InMemoryPushSubscriptionStore } from './web-push/in-memory-push-subscription.store';
import { PushDelivery } from './web-push/push-delivery';
import { PushSender } from './web-push/push-sender';
import { PushSubscriptionMethods } from './web-push/push-subscription-methods';
import { PushSubscriptionRevalidation } from './web-push/push-subscription-revalidation';
import { PushSubscriptionStore } from './web-push/push-subscription-store.interface';
import { WEB_PUSH_SETTINGS } from './web-push/web-push.internal-constants';

/**
 * RFC 8620 section 7.3 push for a JMAP backend: an event-source route, and `StateChangeService` to
 * publish state changes to it. `JmapPushModule.forRoot({ authenticator })` or `forRootAsync(...)`.
 */
@Module({
  providers: [
    { provide: PUSH_SETTINGS, useFactory: resolvePushSettings, inject: [JMAP_PUSH_MODULE_OPTIONS] },
    {
      provide: Authenticator,
      useFactory: (options: JmapPushModuleOptions) => options.authenticator,
      inject: [JMAP_PUSH_MODULE_OPTIONS],
    },
    {
      provide: JmapRequestHandler,
      useFactory: (options: JmapPushModuleOptions) => options.webSocket?.requestHandler ?? null,
      inject: [JMAP_PUSH_MODULE_OPTIONS],
    },
    {
      provide: PushBus,
      useFactory: (options: JmapPushModuleOptions, settings: PushSettings) =>
        options.bus ?? new InMemoryPushBus({ historySize: settings.historySize }),
      inject: [JMAP_PUSH_MODULE_OPTIONS, PUSH_SETTINGS],
    },
    {
      provide: PingPolicy,
      useFactory: (options: JmapPushModuleOptions, settings: PushSettings) =>
        options.pingPolicy ?? new ClampingPingPolicy(settings.minPingSeconds, settings.maxPingSeconds),
      inject: [JMAP_PUSH_MODULE_OPTIONS, PUSH_SETTINGS],
    },
    // Web Push: every provider exists, `null` when the `webPush` option is off (forRootAsync options are
    // known only at runtime), so the methods stay injectable and answer that it is off.
    {
      provide: WEB_PUSH_SETTINGS,
      useFactory: (settings: PushSettings) => settings.webPush ?? null,
      inject: [PUSH_SETTINGS],
    },
    {
      provide: PushSubscriptionStore,
      useFactory: (options: JmapPushModuleOptions) =>
        options.webPush ? (options.webPush.store ?? new InMemoryPushSubscriptionStore()) : null,
      inject: [JMAP_PUSH_MODULE_OPTIONS],
    },
    {
      provide: PushSender,
      useFactory: (settings: PushSettings) => (settings.webPush ? new PushSender(settings.webPush) : null),
      inject: [PUSH_SETTINGS],
    },
    DeliverySignal,
    PushSubscriptionMethods,
    PushDelivery,
    PushSubscriptionRevalidation,
    TypeRegistry,
    PushMetrics,
    PingScheduler,
    SubscriptionAdmission,
    StallWatch,
    SubscriptionRegistry,
    EventSourceChannel,
    DirectRoute,
    WebSocketEndpoint,
    PrincipalRevalidator,
    StateChangeService,
    JmapPushSession,
    BrowserSessions,
    RequestAuthenticator,
    PushAuthGuard,
    EventSourceQueryPipe,
  ],
  exports: [StateChangeService, JmapPushSession, PushMetrics, TypeRegistry, PushBus, PushSubscriptionMethods],
})
export class JmapPushModule extends ConfigurableModuleClass {}

// The public API of jmap-push. Everything else is internal and may change in any release.
export { JmapPushModule } from './jmap-push.module';
export { JMAP_PUSH_MODULE_OPTIONS } from './jmap-push.module-definition';
export type { JmapPushModuleExtras, JmapPushModuleOptions } from './jmap-push-options.interface';
export {
  DEFAULT_EVENT_SOURCE_PATH,
  DEFAULT_PUSH_TYPES,
  JMAP_CONTACTS_TYPES,
  JMAP_MAIL_TYPES,
} from './jmap-push.constants';

export { StateChangeService } from './bus/state-change.service';
export type { ChangedAccounts, StateChange, TypeState } from './state/type-state';
export { TypeRegistry } from './state/type-registry';

export { Authenticator } from './auth/authenticator.interface';
export type { Principal } from './auth/principal.interface';
export { constantTimeEquals } from './auth/constant-time-equals';
export { parseCredentials, type Credentials } from './auth/credentials';
export type { BrowserSessionOptions } from './auth/browser-session-options.interface';

export { PushBus } from './bus/push-bus.interface';
export type { ChangeListener, MergedChanges, PublishedChange } from './bus/push-bus.interface';
export { InMemoryPushBus, type InMemoryPushBusOptions } from './bus/in-memory-push-bus';
export { compareEventIds, formatEventId, parseEventId, type ParsedEventId } from './bus/event-id';

export { PingPolicy } from './ping/ping-policy.interface';
export { ClampingPingPolicy } from './ping/clamping-ping-policy';

export { JmapPushSession, WEBPUSH_VAPID_CAPABILITY, WEBSOCKET_CAPABILITY } from './session/jmap-push-session';
export type { Authentication, BrowserSession } from './auth/authentication';

export { JmapRequestHandler } from './websocket/jmap-request-handler.interface';
export type { JmapRequest, JmapResponse } from './websocket/jmap-request-handler.interface';
export { JmapRequestError } from './websocket/jmap-request-error';
export { readJmapRequest } from './websocket/jmap-request-shape';
export { iJsonViolation } from './util/i-json';
export type { WebSocketOptions } from './websocket/websocket-options.interface';
export {
  PushMetrics,
  type PushMetricsSnapshot,
  type PushSubscriptionDestroyReason,
  type RejectionReason,
} from './metrics/push-metrics';
export { PROBLEM_JSON, ProblemType, type ProblemDetails } from './problem/problem-details';

export type {
  PushHostResolver,
  PushUrgency,
  ResolvedAddress,
  VapidKeys,
  WebPushOptions,
} from './web-push/web-push-options.interface';
export { PushSubscriptionStore, type StoredChangeListener } from './web-push/push-subscription-store.interface';
export type {
  DeliveryClaim,
  DeliveryResult,
  PendingChange,
  PendingPush,
  PushKeys,
  PushSubscriptionChanges,
  StoredPrincipal,
  StoredPushSubscription,
} from './web-push/push-subscription';
export { InMemoryPushSubscriptionStore } from './web-push/in-memory-push-subscription.store';
export { PushSubscriptionMethods } from './web-push/push-subscription-methods';
export type { PushSubscriptionResponse } from './web-push/push-subscription-errors';
export {
  browserSessionCredential,
  pushSubscriptionCaller,
  type PushSubscriptionCaller,
} from './web-push/push-subscription-caller';

export { JmapPushError } from './errors/jmap-push.error';
export { JmapPushConfigError } from './errors/jmap-push-config.error';
export { InvalidStateChangeError } from './errors/invalid-state-change.error';

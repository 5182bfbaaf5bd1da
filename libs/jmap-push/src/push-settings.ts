import { DEFAULT_PUSH_TYPES, RFC_MAX_MIN_PING_SECONDS, RFC_MIN_MAX_PING_SECONDS } from './jmap-push.constants';
import type { JmapPushModuleOptions } from './jmap-push-options.interface';
import type { BrowserSessionOptions } from './auth/browser-session-options.interface';
import { JmapPushConfigError } from './errors/jmap-push-config.error';
import { positiveIntegerOption } from './util/positive-integer-option';
import { resolveWebPushSettings, type WebPushSettings } from './web-push/web-push-settings';
import { resolveWebSocketSettings, type WebSocketSettings } from './websocket/websocket-settings';

/** The module options with every default filled in and every bound checked, once, at startup. */
export interface PushSettings {
  readonly types: readonly string[];
  readonly realm: string;
  readonly minPingSeconds: number;
  readonly maxPingSeconds: number;
  readonly maxStreams: number;
  readonly maxStreamsPerPrincipal: number;
  readonly retryAfterSeconds: number;
  readonly reconnectDelayMs: number;
  readonly historySize: number;
  readonly authenticationTimeoutMs: number;
  readonly stalledStreamTimeoutMs: number;
  readonly revalidateIntervalMs: number;
  readonly browserSessions: (Required<Omit<BrowserSessionOptions, 'cookiePath'>> & { cookiePath?: string }) | undefined;
  readonly webSocket: WebSocketSettings | undefined;
  readonly webPush: WebPushSettings | undefined;
}

const OWNER = 'JmapPushModule';

/** A counting option of the module (streams, seconds, milliseconds), or its default. */
function count(name: string, value: number | undefined, fallback: number): number {
  return positiveIntegerOption(OWNER, name, value, fallback);
}

/** Builds `PushSettings`; throws a `JmapPushConfigError` on options that would break the RFC or the server. */
export function resolvePushSettings(options: JmapPushModuleOptions): PushSettings {
  // Plain JavaScript hosts get no compile-time check: the options are checked, not trusted to match their type.
  const unchecked = options as { authenticator?: { authenticateBasic?: unknown } | null } | null | undefined;
  if (!unchecked || typeof unchecked.authenticator?.authenticateBasic !== 'function') {
    throw new JmapPushConfigError(`${OWNER}: the "authenticator" option must implement authenticateBasic()`);
  }
  const minPingSeconds = count('ping.min', options.ping?.min, 5);
  const maxPingSeconds = count('ping.max', options.ping?.max, 300);
  if (minPingSeconds > RFC_MAX_MIN_PING_SECONDS) {
    throw new JmapPushConfigError(
      `${OWNER}: ping.min ${minPingSeconds} exceeds ${RFC_MAX_MIN_PING_SECONDS} s (RFC 8620 section 7.3)`,
    );
  }
  if (maxPingSeconds < RFC_MIN_MAX_PING_SECONDS) {
    throw new JmapPushConfigError(
      `${OWNER}: ping.max ${maxPingSeconds} is below ${RFC_MIN_MAX_PING_SECONDS} s (RFC 8620 section 7.3)`,
    );
  }
  const extraTypes = options.types ?? [];
  for (const type of extraTypes as readonly unknown[]) {
    if (typeof type !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(type)) {
      throw new JmapPushConfigError(`${OWNER}: "${String(type)}" is not a JMAP type name`);
    }
  }
  const realm = options.realm ?? 'JMAP';
  if (!/^[\x20-\x7e]*$/.test(realm) || realm.includes('"')) {
    throw new JmapPushConfigError(`${OWNER}: realm must be printable ASCII without quotes`);
  }
  return {
    types: [...new Set([...DEFAULT_PUSH_TYPES, ...extraTypes])],
    realm,
    minPingSeconds,
    maxPingSeconds,
    maxStreams: count('maxStreams', options.maxStreams, 20_000),
    maxStreamsPerPrincipal: count('maxStreamsPerPrincipal', options.maxStreamsPerPrincipal, 32),
    retryAfterSeconds: count('retryAfterSeconds', options.retryAfterSeconds, 5),
    reconnectDelayMs: count('reconnectDelayMs', options.reconnectDelayMs, 2_000),
    historySize: count('historySize', options.historySize, 10_000),
    authenticationTimeoutMs: count('authenticationTimeoutMs', options.authenticationTimeoutMs, 5_000),
    stalledStreamTimeoutMs: count('stalledStreamTimeoutMs', options.stalledStreamTimeoutMs, 60_000),
    revalidateIntervalMs: count('revalidateIntervalMs', options.revalidateIntervalMs, 60_000),
    browserSessions: options.browserSessions && resolveBrowserSessions(options.browserSessions),
    webSocket: options.webSocket && resolveWebSocketSettings(options.webSocket),
    webPush: options.webPush && resolveWebPushSettings(options.webPush),
  };
}

function resolveBrowserSessions(options: BrowserSessionOptions): NonNullable<PushSettings['browserSessions']> {
  if (typeof options.secret !== 'string' || options.secret.length < 32) {
    throw new JmapPushConfigError(`${OWNER}: browserSessions.secret must be at least 32 characters`);
  }
  const resolved = {
    secret: options.secret,
    ttlSeconds: count('browserSessions.ttlSeconds', options.ttlSeconds, 8 * 3600),
    cookieName: options.cookieName ?? 'jmap_push_session',
    sameSite: options.sameSite ?? 'Strict',
    secure: options.secure ?? true,
    cookiePath: options.cookiePath,
  } as const;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(resolved.cookieName)) {
    throw new JmapPushConfigError(`${OWNER}: browserSessions.cookieName must be a cookie token`);
  }
  if (!['Strict', 'Lax', 'None'].includes(resolved.sameSite)) {
    throw new JmapPushConfigError(`${OWNER}: browserSessions.sameSite must be Strict, Lax or None`);
  }
  if (resolved.sameSite === 'None' && !resolved.secure) {
    throw new JmapPushConfigError(
      `${OWNER}: browserSessions.sameSite None requires secure (browsers refuse it otherwise)`,
    );
  }
  return resolved;
}

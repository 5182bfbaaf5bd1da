import { DEFAULT_PUSH_TYPES, RFC_MAX_MIN_PING_SECONDS, RFC_MIN_MAX_PING_SECONDS } from './jmap-push.constants';
import type { JmapPushModuleOptions } from './jmap-push-options.interface';
import type { BrowserSessionOptions } from './auth/browser-session-options.interface';

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
}

/** Builds `PushSettings`; throws on options that would break the RFC or the server. */
export function resolvePushSettings(options: JmapPushModuleOptions): PushSettings {
  // Plain JavaScript hosts get no compile-time check: the options are checked, not trusted to match their type.
  const unchecked = options as { authenticator?: { authenticateBasic?: unknown } | null } | null | undefined;
  if (!unchecked || typeof unchecked.authenticator?.authenticateBasic !== 'function') {
    throw new Error('JmapPushModule: the "authenticator" option must implement authenticateBasic()');
  }
  const minPingSeconds = options.ping?.min ?? 5;
  const maxPingSeconds = options.ping?.max ?? 300;
  positiveInteger('ping.min', minPingSeconds);
  positiveInteger('ping.max', maxPingSeconds);
  if (minPingSeconds > RFC_MAX_MIN_PING_SECONDS) {
    throw new Error(
      `JmapPushModule: ping.min ${minPingSeconds} exceeds ${RFC_MAX_MIN_PING_SECONDS} s (RFC 8620 section 7.3)`,
    );
  }
  if (maxPingSeconds < RFC_MIN_MAX_PING_SECONDS) {
    throw new Error(
      `JmapPushModule: ping.max ${maxPingSeconds} is below ${RFC_MIN_MAX_PING_SECONDS} s (RFC 8620 section 7.3)`,
    );
  }
  const extraTypes = options.types ?? [];
  for (const type of extraTypes as readonly unknown[]) {
    if (typeof type !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(type)) {
      throw new Error(`JmapPushModule: "${String(type)}" is not a JMAP type name`);
    }
  }
  const settings: PushSettings = {
    types: [...new Set([...DEFAULT_PUSH_TYPES, ...extraTypes])],
    realm: options.realm ?? 'JMAP',
    minPingSeconds,
    maxPingSeconds,
    maxStreams: options.maxStreams ?? 20_000,
    maxStreamsPerPrincipal: options.maxStreamsPerPrincipal ?? 32,
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    reconnectDelayMs: options.reconnectDelayMs ?? 2_000,
    historySize: options.historySize ?? 10_000,
    authenticationTimeoutMs: options.authenticationTimeoutMs ?? 5_000,
    stalledStreamTimeoutMs: options.stalledStreamTimeoutMs ?? 60_000,
    revalidateIntervalMs: options.revalidateIntervalMs ?? 60_000,
    browserSessions: options.browserSessions && resolveBrowserSessions(options.browserSessions),
  };
  positiveInteger('maxStreams', settings.maxStreams);
  positiveInteger('maxStreamsPerPrincipal', settings.maxStreamsPerPrincipal);
  positiveInteger('retryAfterSeconds', settings.retryAfterSeconds);
  positiveInteger('reconnectDelayMs', settings.reconnectDelayMs);
  positiveInteger('historySize', settings.historySize);
  positiveInteger('authenticationTimeoutMs', settings.authenticationTimeoutMs);
  positiveInteger('stalledStreamTimeoutMs', settings.stalledStreamTimeoutMs);
  positiveInteger('revalidateIntervalMs', settings.revalidateIntervalMs);
  if (!/^[\x20-\x7e]*$/.test(settings.realm) || settings.realm.includes('"')) {
    throw new Error('JmapPushModule: realm must be printable ASCII without quotes');
  }
  return settings;
}

function resolveBrowserSessions(options: BrowserSessionOptions): NonNullable<PushSettings['browserSessions']> {
  if (typeof options.secret !== 'string' || options.secret.length < 32) {
    throw new Error('JmapPushModule: browserSessions.secret must be at least 32 characters');
  }
  const resolved = {
    secret: options.secret,
    ttlSeconds: options.ttlSeconds ?? 8 * 3600,
    cookieName: options.cookieName ?? 'jmap_push_session',
    sameSite: options.sameSite ?? 'Strict',
    secure: options.secure ?? true,
    cookiePath: options.cookiePath,
  } as const;
  positiveInteger('browserSessions.ttlSeconds', resolved.ttlSeconds);
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(resolved.cookieName)) {
    throw new Error('JmapPushModule: browserSessions.cookieName must be a cookie token');
  }
  if (!['Strict', 'Lax', 'None'].includes(resolved.sameSite)) {
    throw new Error('JmapPushModule: browserSessions.sameSite must be Strict, Lax or None');
  }
  if (resolved.sameSite === 'None' && !resolved.secure) {
    throw new Error('JmapPushModule: browserSessions.sameSite None requires secure (browsers refuse it otherwise)');
  }
  return resolved;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`JmapPushModule: ${name} must be a positive integer, got ${String(value)}`);
  }
}

import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { positiveIntegerOption } from '../util/positive-integer-option';
import type { PushHostResolver, PushUrgency, VapidKeys, WebPushOptions } from './web-push-options.interface';

/** `WebPushOptions` with every default filled in and checked at startup. */
export interface WebPushSettings {
  readonly vapid: VapidKeys;
  /** Lower-cased URL hosts (IPv6 literals without brackets) that may reach internal addresses. */
  readonly allowHosts: ReadonlySet<string>;
  readonly resolver: PushHostResolver | undefined;
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer> | undefined;
  readonly maxSubscriptionsPerCredential: number;
  readonly maxCreationsPerMinute: number;
  readonly maxUrlLength: number;
  readonly maxExpiresMs: number;
  readonly ttlSeconds: number;
  readonly urgency: Readonly<Record<string, PushUrgency>>;
  readonly defaultUrgency: PushUrgency;
  readonly encryptedContentType: 'application/json' | 'application/octet-stream';
  readonly requestTimeoutMs: number;
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly maxConcurrentPushes: number;
  readonly pollIntervalMs: number;
  readonly claimLeaseMs: number;
}

const OWNER = 'JmapPushModule';
const HOUR_S = 3_600;
/** RFC 8620 section 7.2: the maximum expiry "MUST be at least 48 hours in the future". */
const RFC_MIN_MAX_EXPIRES_S = 48 * HOUR_S;
const URGENCIES: readonly PushUrgency[] = ['very-low', 'low', 'normal', 'high'];

function count(name: string, value: number | undefined, fallback: number): number {
  return positiveIntegerOption(OWNER, `webPush.${name}`, value, fallback);
}

function urgencyOf(name: string, value: unknown): PushUrgency {
  if (!URGENCIES.includes(value as PushUrgency)) {
    throw new JmapPushConfigError(`${OWNER}: webPush.${name} must be one of ${URGENCIES.join(', ')}`);
  }
  return value as PushUrgency;
}

/** Builds `WebPushSettings`; throws a `JmapPushConfigError` on options that would break the RFCs. */
export function resolveWebPushSettings(options: WebPushOptions): WebPushSettings {
  const vapid = checkedVapid(options.vapid);
  const maxExpiresSeconds = count('maxExpiresSeconds', options.maxExpiresSeconds, 7 * 24 * HOUR_S);
  if (maxExpiresSeconds < RFC_MIN_MAX_EXPIRES_S) {
    throw new JmapPushConfigError(
      `${OWNER}: webPush.maxExpiresSeconds ${maxExpiresSeconds} is below 48 hours (RFC 8620 section 7.2)`,
    );
  }
  const urgency: Record<string, PushUrgency> = {};
  for (const [type, value] of Object.entries(options.urgency ?? { EmailDelivery: 'high' })) {
    urgency[type] = urgencyOf(`urgency.${type}`, value);
  }
  const minRetryDelayMs = count('minRetryDelayMs', options.minRetryDelayMs, 1_000);
  const maxRetryDelayMs = count('maxRetryDelayMs', options.maxRetryDelayMs, 3_600_000);
  if (maxRetryDelayMs < minRetryDelayMs) {
    throw new JmapPushConfigError(`${OWNER}: webPush.maxRetryDelayMs is below webPush.minRetryDelayMs`);
  }
  const allowHosts = new Set<string>();
  for (const host of (options.allowHosts ?? []) as readonly unknown[]) {
    if (typeof host !== 'string' || host === '' || /[\s/@]/.test(host)) {
      throw new JmapPushConfigError(`${OWNER}: webPush.allowHosts holds "${String(host)}", not a URL host`);
    }
    allowHosts.add(host.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  }
  // Plain JavaScript hosts get no compile-time check.
  const encryptedContentType: unknown = options.encryptedContentType ?? 'application/json';
  if (encryptedContentType !== 'application/json' && encryptedContentType !== 'application/octet-stream') {
    throw new JmapPushConfigError(
      `${OWNER}: webPush.encryptedContentType must be application/json or application/octet-stream`,
    );
  }
  return {
    vapid,
    allowHosts,
    resolver: options.resolver,
    ca: options.ca,
    maxSubscriptionsPerCredential: count('maxSubscriptionsPerCredential', options.maxSubscriptionsPerCredential, 16),
    maxCreationsPerMinute: count('maxCreationsPerMinute', options.maxCreationsPerMinute, 10),
    maxUrlLength: count('maxUrlLength', options.maxUrlLength, 2_048),
    maxExpiresMs: maxExpiresSeconds * 1_000,
    ttlSeconds: count('ttlSeconds', options.ttlSeconds, 86_400),
    urgency,
    defaultUrgency: urgencyOf('defaultUrgency', options.defaultUrgency ?? 'normal'),
    encryptedContentType,
    requestTimeoutMs: count('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    minRetryDelayMs,
    maxRetryDelayMs,
    maxConcurrentPushes: count('maxConcurrentPushes', options.maxConcurrentPushes, 64),
    pollIntervalMs: count('pollIntervalMs', options.pollIntervalMs, 500),
    claimLeaseMs: count('claimLeaseMs', options.claimLeaseMs, 30_000),
  };
}

/** The keys must be a real P-256 pair: a typo would otherwise surface as every push refused with 401/403. */
function checkedVapid(vapid: VapidKeys | undefined): VapidKeys {
  const unchecked = vapid as Partial<Record<keyof VapidKeys, unknown>> | undefined;
  if (!unchecked || typeof unchecked.publicKey !== 'string' || typeof unchecked.privateKey !== 'string') {
    throw new JmapPushConfigError(`${OWNER}: webPush.vapid needs publicKey and privateKey (base64url)`);
  }
  if (typeof unchecked.subject !== 'string' || !/^(mailto:|https:\/\/)\S+$/.test(unchecked.subject)) {
    throw new JmapPushConfigError(
      `${OWNER}: webPush.vapid.subject must be a mailto: or https: URI (RFC 8292 section 2.1)`,
    );
  }
  const publicKey = Buffer.from(unchecked.publicKey, 'base64url');
  const privateKey = Buffer.from(unchecked.privateKey, 'base64url');
  if (publicKey.length !== 65 || publicKey[0] !== 0x04 || privateKey.length !== 32) {
    throw new JmapPushConfigError(
      `${OWNER}: webPush.vapid keys must be a 65-octet uncompressed P-256 public key and a 32-octet private key`,
    );
  }
  return { publicKey: unchecked.publicKey, privateKey: unchecked.privateKey, subject: unchecked.subject };
}

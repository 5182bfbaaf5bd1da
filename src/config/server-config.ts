import { ConfigError, parseInteger } from './config-error';
import { parseCorsOrigins } from './cors-config';
import {
  DEMO_TOKENS,
  DEMO_USERS,
  parseShares,
  parseTokens,
  parseUsers,
  type ConfiguredShare,
  type ConfiguredToken,
  type ConfiguredUser,
} from './credentials-config';
import { parsePushSessionSecret } from './push-session-settings';
import { parsePushStreamConfig, type PushStreamConfig } from './push-stream-config';
import { parseWebPushConfig, type WebPushConfig } from './web-push-config';

export { ConfigError } from './config-error';
export type { ConfiguredShare, ConfiguredToken, ConfiguredUser } from './credentials-config';
export type { ConfiguredVapidKeys, WebPushConfig } from './web-push-config';

/** Everything the server reads from its environment, parsed and checked once at boot. */
export interface ServerConfig {
  readonly host: string;
  /** HTTP port; 0 lets the system pick one (tests). */
  readonly port: number;
  /** LMTP port; `null` turns the listener off. 0 lets the system pick one (tests). */
  readonly lmtpPort: number | null;
  readonly lmtpHost: string;
  /** The URL clients reach the server at, when a proxy stands in front; otherwise taken from each request. */
  readonly publicUrl: string | null;
  readonly users: readonly ConfiguredUser[];
  /** Bearer tokens (`JMAP_TOKENS`), each a credential of its own. */
  readonly tokens: readonly ConfiguredToken[];
  readonly shares: readonly ConfiguredShare[];
  /** Origins whose pages may use credentials across origins (`CORS_ORIGINS`); any other origin gets CORS without. */
  readonly corsOrigins: readonly string[];
  /** Redis for the multi-node push bus; `null` keeps push in this process. */
  readonly redisUrl: string | null;
  /** Key prefix of the push bus in Redis; nodes that push to each other share it. */
  readonly redisKeyPrefix: string;
  /**
   * `PUSH_SESSION_SECRET`: the HMAC key of the browser push session cookies, the same on every node;
   * `null` derives a development key from the configuration (see `pushSessionSettings`).
   */
  readonly pushSessionSecret: string | null;
  /** The event source's transport and stream limits. */
  readonly pushStreams: PushStreamConfig;
  /** PushSubscription and Web Push: VAPID keys, subject, hosts allowed internal addresses. */
  readonly webPush: WebPushConfig;
}

/** DI token of the `ServerConfig`. */
export const SERVER_CONFIG = Symbol('ServerConfig');

const PORT = { min: 0, max: 65535, what: 'a port number (0-65535)' };

/**
 * Reads `PORT`, `HOST`, `LMTP_PORT`, `LMTP_HOST`, `PUBLIC_URL`, `JMAP_USERS`, `JMAP_TOKENS`, `JMAP_SHARES`,
 * `CORS_ORIGINS`, `REDIS_URL`, `REDIS_KEY_PREFIX`, `PUSH_SESSION_SECRET`, the `PUSH_*` stream settings and
 * the `WEB_PUSH_*` ones.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const customUsers = env.JMAP_USERS?.trim();
  const users = parseUsers(customUsers || DEMO_USERS);
  // The demo tokens go with the demo users only: they are published in the README.
  const tokens = parseTokens(env.JMAP_TOKENS?.trim() || (customUsers ? '' : DEMO_TOKENS), users);
  const lmtpPort = parseInteger('LMTP_PORT', env.LMTP_PORT, 2424, PORT);
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    port: parseInteger('PORT', env.PORT, 8080, PORT),
    // "0 turns it off": in the environment 0 means no LMTP; tests that want a free port pass the config directly.
    lmtpPort: lmtpPort === 0 ? null : lmtpPort,
    lmtpHost: env.LMTP_HOST?.trim() || '127.0.0.1',
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
    redisUrl: parseRedisUrl(env.REDIS_URL),
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || 'jmap-push:',
    pushSessionSecret: parsePushSessionSecret(env.PUSH_SESSION_SECRET),
    pushStreams: parsePushStreamConfig(env),
    webPush: parseWebPushConfig(env, users),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    users,
    tokens,
    shares: parseShares(env.JMAP_SHARES ?? '', users),
  };
}

function parseRedisUrl(raw: string | undefined): string | null {
  if (!raw?.trim()) return null;
  if (!/^rediss?:\/\//.test(raw.trim()))
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got "${raw}"`);
  return raw.trim();
}

function parsePublicUrl(raw: string | undefined): string | null {
  if (!raw?.trim()) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL must be an http or https URL');
  }
  return url.toString().replace(/\/+$/, '');
}

import { scryptSync } from 'node:crypto';

/** One mail user as configured: the login name (also the address mail is delivered to) and the password. */
export interface ConfiguredUser {
  readonly username: string;
  readonly password: string;
}

/** A grant: `owner`'s account may be read by `grantee`. */
export interface ConfiguredShare {
  readonly owner: string;
  readonly grantee: string;
}

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
  readonly shares: readonly ConfiguredShare[];
  /** Redis for the multi-node push bus; `null` keeps push in this process. */
  readonly redisUrl: string | null;
  /** Key prefix of the push bus in Redis; nodes that push to each other share it. */
  readonly redisKeyPrefix: string;
  /**
   * `PUSH_SESSION_SECRET`: the HMAC key of the browser push session cookies, the same on every node;
   * `null` derives a development key from the users (see `pushSessionSettings`).
   */
  readonly pushSessionSecret: string | null;
}

/** DI token of the `ServerConfig`. */
export const SERVER_CONFIG = Symbol('ServerConfig');

/** The demo users the README names, used when `JMAP_USERS` is not set. */
export const DEMO_USERS = 'alice@example.com:alice-secret,bob@example.com:bob-secret';

export class ConfigError extends Error {}

/** The shortest `PUSH_SESSION_SECRET` accepted (the module's own minimum). */
export const MIN_PUSH_SESSION_SECRET_LENGTH = 32;

/**
 * Reads `PORT`, `HOST`, `LMTP_PORT`, `LMTP_HOST`, `PUBLIC_URL`, `JMAP_USERS`, `JMAP_SHARES`, `REDIS_URL`,
 * `REDIS_KEY_PREFIX`, `PUSH_SESSION_SECRET`.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const users = parseUsers(env.JMAP_USERS?.trim() || DEMO_USERS);
  const shares = parseShares(env.JMAP_SHARES ?? '', users);
  const lmtpPort = parsePort('LMTP_PORT', env.LMTP_PORT, 2424);
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    port: parsePort('PORT', env.PORT, 8080),
    // "0 turns it off": in the environment 0 means no LMTP; tests that want a free port pass the config directly.
    lmtpPort: lmtpPort === 0 ? null : lmtpPort,
    lmtpHost: env.LMTP_HOST?.trim() || '127.0.0.1',
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
    redisUrl: parseRedisUrl(env.REDIS_URL),
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || 'jmap-push:',
    pushSessionSecret: parsePushSessionSecret(env.PUSH_SESSION_SECRET),
    users,
    shares,
  };
}

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

function parsePushSessionSecret(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  if (raw.length < MIN_PUSH_SESSION_SECRET_LENGTH) {
    throw new ConfigError(`PUSH_SESSION_SECRET must be at least ${MIN_PUSH_SESSION_SECRET_LENGTH} characters`);
  }
  return raw;
}

/** How the browser push sessions of the reference server are set up. */
export interface PushSessionSettings {
  /** HMAC-SHA256 key of the session cookies. */
  readonly secret: string;
  /** `true` when the key was derived from `JMAP_USERS` because `PUSH_SESSION_SECRET` is not set. */
  readonly derived: boolean;
  /** Cookies go over TLS only: `PUBLIC_URL` is https. A plain-HTTP development server turns it off. */
  readonly secure: boolean;
}

/**
 * The browser session settings of a config. Without `PUSH_SESSION_SECRET` the key is derived from the
 * configured users and passwords, so a restart keeps signed-in browsers signed in and a password change
 * signs everyone out. That suits development only: anyone who knows (or guesses, offline, from a cookie
 * of their own: hence scrypt) every password in `JMAP_USERS` can compute it. Production sets the secret.
 */
export function pushSessionSettings(config: ServerConfig): PushSessionSettings {
  return {
    secret: config.pushSessionSecret ?? developmentSessionSecret(config.users),
    derived: config.pushSessionSecret === null,
    secure: config.publicUrl?.startsWith('https:') ?? false,
  };
}

const DEVELOPMENT_KEY_SALT = 'jmap-push reference server: development browser session key, v1';
const derivedKeys = new Map<string, string>();

/** scrypt of the users and passwords; remembered, since tests boot many servers with the same users. */
function developmentSessionSecret(users: readonly ConfiguredUser[]): string {
  const input = JSON.stringify(users.map(({ username, password }) => [username, password]));
  let key = derivedKeys.get(input);
  if (key === undefined) {
    key = scryptSync(input, DEVELOPMENT_KEY_SALT, 32, { N: 2 ** 14, r: 8, p: 1 }).toString('base64url');
    derivedKeys.set(input, key);
  }
  return key;
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

/** `name:password,name:password`. The password may contain colons (only the first one splits). */
export function parseUsers(raw: string): ConfiguredUser[] {
  const users: ConfiguredUser[] = [];
  const seen = new Set<string>();
  for (const entry of raw.split(',')) {
    const pair = entry.trim();
    if (!pair) continue;
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      throw new ConfigError(`JMAP_USERS entry "${pair}" must be name:password`);
    }
    const username = pair.slice(0, colon).trim().toLowerCase();
    const password = pair.slice(colon + 1);
    if (seen.has(username)) throw new ConfigError(`JMAP_USERS names "${username}" twice`);
    seen.add(username);
    users.push({ username, password });
  }
  if (users.length === 0) throw new ConfigError('JMAP_USERS names no user');
  return users;
}

/** `owner>grantee,owner>grantee`: each owner's account becomes readable by the grantee. */
export function parseShares(raw: string, users: readonly ConfiguredUser[]): ConfiguredShare[] {
  const known = new Set(users.map((user) => user.username));
  const shares: ConfiguredShare[] = [];
  for (const entry of raw.split(',')) {
    const pair = entry.trim();
    if (!pair) continue;
    const [owner, grantee, extra] = pair.split('>').map((part) => part.trim().toLowerCase()) as Array<
      string | undefined
    >;
    if (!owner || !grantee || extra !== undefined) {
      throw new ConfigError(`JMAP_SHARES entry "${pair}" must be owner>grantee`);
    }
    for (const name of [owner, grantee]) {
      if (!known.has(name)) throw new ConfigError(`JMAP_SHARES names unknown user "${name}"`);
    }
    if (owner === grantee) throw new ConfigError(`JMAP_SHARES entry "${pair}" shares an account with its owner`);
    shares.push({ owner, grantee });
  }
  return shares;
}

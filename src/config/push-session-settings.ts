import { scryptSync } from 'node:crypto';
import { ConfigError } from './config-error';
import type { ServerConfig } from './server-config';

/** The shortest `PUSH_SESSION_SECRET` accepted (the module's own minimum). */
export const MIN_PUSH_SESSION_SECRET_LENGTH = 32;

/** `PUSH_SESSION_SECRET` as given; `null` when unset (a development key is derived then). */
export function parsePushSessionSecret(raw: string | undefined): string | null {
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
  /** `true` when the key was derived from the configuration because `PUSH_SESSION_SECRET` is not set. */
  readonly derived: boolean;
  /** Cookies go over TLS only: `PUBLIC_URL` is https. A plain-HTTP development server turns it off. */
  readonly secure: boolean;
}

/**
 * The browser session settings of a config. Without `PUSH_SESSION_SECRET` the key is derived from the
 * users, passwords, tokens and shares, so a restart with the same configuration keeps signed-in browsers
 * signed in, and any change to who may read what signs everyone out. That suits development only: anyone
 * who knows (or guesses, offline, from a cookie of their own: hence scrypt) every password in `JMAP_USERS`
 * can compute it. Production sets the secret.
 */
export function pushSessionSettings(config: ServerConfig): PushSessionSettings {
  return {
    secret: config.pushSessionSecret ?? developmentSessionSecret(config),
    derived: config.pushSessionSecret === null,
    secure: config.publicUrl?.startsWith('https:') ?? false,
  };
}

const DEVELOPMENT_KEY_SALT = 'jmap-push reference server: development browser session key, v2';
const derivedKeys = new Map<string, string>();

/** scrypt of the credentials and grants; remembered, since tests boot many servers with the same ones. */
function developmentSessionSecret({ users, tokens, shares }: ServerConfig): string {
  const input = JSON.stringify([
    users.map(({ username, password }) => [username, password]),
    tokens.map(({ username, token }) => [username, token]),
    shares.map(({ owner, grantee }) => [owner, grantee]),
  ]);
  let key = derivedKeys.get(input);
  if (key === undefined) {
    key = scryptSync(input, DEVELOPMENT_KEY_SALT, 32, { N: 2 ** 14, r: 8, p: 1 }).toString('base64url');
    derivedKeys.set(input, key);
  }
  return key;
}

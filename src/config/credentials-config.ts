import { ConfigError } from './config-error';

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

/** A Bearer token of a user: a credential of its own, next to the password. */
export interface ConfiguredToken {
  readonly username: string;
  readonly token: string;
}

/** The demo users the README names, used when `JMAP_USERS` is not set. */
export const DEMO_USERS = 'alice@example.com:alice-secret,bob@example.com:bob-secret';

/** The demo users' tokens, used when neither `JMAP_USERS` nor `JMAP_TOKENS` is set. */
export const DEMO_TOKENS = 'alice@example.com:alice-token,bob@example.com:bob-token';

/** RFC 6750 section 2.1 `b64token`: what an `Authorization: Bearer` header can carry. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** `name:password,name:password`. The password may contain colons (only the first one splits). */
export function parseUsers(raw: string): ConfiguredUser[] {
  const users: ConfiguredUser[] = [];
  const seen = new Set<string>();
  for (const [username, password] of namedPairs('JMAP_USERS', raw, 'name:password')) {
    if (seen.has(username)) throw new ConfigError(`JMAP_USERS names "${username}" twice`);
    seen.add(username);
    users.push({ username, password });
  }
  if (users.length === 0) throw new ConfigError('JMAP_USERS names no user');
  return users;
}

/**
 * `name:token,name:token`: a user may have several tokens; a token belongs to one user only, since it
 * alone says who is calling.
 */
export function parseTokens(raw: string, users: readonly ConfiguredUser[]): ConfiguredToken[] {
  const known = new Set(users.map((user) => user.username));
  const tokens: ConfiguredToken[] = [];
  const seen = new Set<string>();
  for (const [username, token] of namedPairs('JMAP_TOKENS', raw, 'name:token')) {
    if (!known.has(username)) throw new ConfigError(`JMAP_TOKENS names unknown user "${username}"`);
    if (!B64TOKEN.test(token)) {
      throw new ConfigError(`JMAP_TOKENS: the token of "${username}" has characters a Bearer token cannot carry`);
    }
    if (seen.has(token)) throw new ConfigError('JMAP_TOKENS gives the same token twice');
    seen.add(token);
    tokens.push({ username, token });
  }
  return tokens;
}

/** `owner>grantee,owner>grantee`: each owner's account becomes readable by the grantee. */
export function parseShares(raw: string, users: readonly ConfiguredUser[]): ConfiguredShare[] {
  const known = new Set(users.map((user) => user.username));
  const shares: ConfiguredShare[] = [];
  for (const pair of entries(raw)) {
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

/** `name:secret` entries: the name lower-cased, the secret as given (only the first colon splits). */
function namedPairs(variable: string, raw: string, shape: string): Array<[string, string]> {
  return entries(raw).map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) throw new ConfigError(`${variable} entry "${pair}" must be ${shape}`);
    return [pair.slice(0, colon).trim().toLowerCase(), pair.slice(colon + 1)];
  });
}

function entries(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

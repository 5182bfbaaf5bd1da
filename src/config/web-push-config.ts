import { createECDH } from 'node:crypto';
import { ConfigError, parseInteger } from './config-error';
import type { ConfiguredUser } from './credentials-config';

/** A VAPID key pair (RFC 8292) as the environment gives it: base64url, the public key uncompressed. */
export interface ConfiguredVapidKeys {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** Web Push (RFC 8620 section 7.2, RFC 8030, RFC 8292) as configured. */
export interface WebPushConfig {
  /**
   * `WEB_PUSH_VAPID_PUBLIC_KEY` and `WEB_PUSH_VAPID_PRIVATE_KEY`; `null` when neither is set, and a pair is
   * generated at boot (see `webPushVapid`).
   */
  readonly vapid: ConfiguredVapidKeys | null;
  /** `WEB_PUSH_SUBJECT`: the VAPID `sub` claim, a `mailto:` or `https:` contact for push service operators. */
  readonly subject: string;
  /** `WEB_PUSH_ALLOW_HOSTS`: push service URL hosts that may resolve to internal addresses (a relay, tests). */
  readonly allowHosts: readonly string[];
  /** `WEB_PUSH_MAX_SUBSCRIPTIONS`: subscriptions one credential may hold; unset keeps the module's default. */
  readonly maxSubscriptionsPerCredential?: number;
}

const COUNT = { min: 1, max: 10_000, what: 'an integer from 1 to 10000' };

/**
 * Reads `WEB_PUSH_VAPID_PUBLIC_KEY`, `WEB_PUSH_VAPID_PRIVATE_KEY`, `WEB_PUSH_SUBJECT`, `WEB_PUSH_ALLOW_HOSTS`
 * and `WEB_PUSH_MAX_SUBSCRIPTIONS`. The users name the default subject's domain.
 */
export function parseWebPushConfig(env: NodeJS.ProcessEnv, users: readonly ConfiguredUser[]): WebPushConfig {
  const maxSubscriptionsPerCredential = parseInteger(
    'WEB_PUSH_MAX_SUBSCRIPTIONS',
    env.WEB_PUSH_MAX_SUBSCRIPTIONS,
    undefined,
    COUNT,
  );
  return {
    vapid: parseVapidKeys(env.WEB_PUSH_VAPID_PUBLIC_KEY, env.WEB_PUSH_VAPID_PRIVATE_KEY),
    subject: parseSubject(env.WEB_PUSH_SUBJECT, users),
    allowHosts: parseAllowHosts(env.WEB_PUSH_ALLOW_HOSTS),
    ...(maxSubscriptionsPerCredential !== undefined && { maxSubscriptionsPerCredential }),
  };
}

/**
 * Both keys or neither. They must be a P-256 pair: a public key that is not the private key's would be
 * advertised in the Session while every push is signed with the other one, and each push service would
 * refuse them all (RFC 8292 section 4), long after boot.
 */
function parseVapidKeys(rawPublic: string | undefined, rawPrivate: string | undefined): ConfiguredVapidKeys | null {
  const publicKey = rawPublic?.trim() ?? '';
  const privateKey = rawPrivate?.trim() ?? '';
  if (publicKey === '' && privateKey === '') return null;
  if (publicKey === '' || privateKey === '') {
    throw new ConfigError(
      'WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY go together: set both (e.g. from `npx web-push generate-vapid-keys`) or neither',
    );
  }
  const publicBytes = base64url('WEB_PUSH_VAPID_PUBLIC_KEY', publicKey);
  const privateBytes = base64url('WEB_PUSH_VAPID_PRIVATE_KEY', privateKey);
  if (publicBytes.length !== 65 || publicBytes[0] !== 0x04) {
    throw new ConfigError('WEB_PUSH_VAPID_PUBLIC_KEY must be an uncompressed P-256 public key (65 octets, base64url)');
  }
  if (privateBytes.length !== 32) {
    throw new ConfigError('WEB_PUSH_VAPID_PRIVATE_KEY must be a P-256 private key (32 octets, base64url)');
  }
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateBytes);
    derived = ecdh.getPublicKey();
  } catch {
    throw new ConfigError('WEB_PUSH_VAPID_PRIVATE_KEY is not a valid P-256 private key');
  }
  if (!derived.equals(publicBytes)) {
    throw new ConfigError('WEB_PUSH_VAPID_PUBLIC_KEY is not the public key of WEB_PUSH_VAPID_PRIVATE_KEY');
  }
  return { publicKey, privateKey };
}

function base64url(name: string, text: string): Buffer {
  // Buffer.from skips what is not base64url: check first, so a typo is a message rather than a short key.
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw new ConfigError(`${name} must be base64url`);
  return Buffer.from(text, 'base64url');
}

/**
 * RFC 8292 section 2.1: a `mailto:` or `https:` URI. The default is the postmaster (RFC 5321 section 4.5.1
 * obliges every mail domain to have one) of the first user's domain: this is that domain's mail server.
 */
function parseSubject(raw: string | undefined, users: readonly ConfiguredUser[]): string {
  const subject = raw?.trim() ?? '';
  if (subject === '') {
    const domain = users.map(({ username }) => username.split('@')[1]).find(Boolean);
    return `mailto:postmaster@${domain ?? 'localhost'}`;
  }
  if (/^mailto:[^\s@]+@[^\s@]+$/i.test(subject)) return subject;
  let url: URL | undefined;
  try {
    url = new URL(subject);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || /\s/.test(subject)) {
    throw new ConfigError(
      `WEB_PUSH_SUBJECT must be a mailto: address or an https: URL (RFC 8292 section 2.1), got "${subject}"`,
    );
  }
  return subject;
}

/**
 * `push.internal.example,127.0.0.1,[::1]`: hosts as they appear in a push URL, without port. Only these
 * may resolve to loopback, private or other internal addresses; everything else is held to public ones.
 */
function parseAllowHosts(raw: string | undefined): string[] {
  const hosts: string[] = [];
  for (const entry of (raw ?? '').split(',')) {
    const text = entry.trim();
    if (text === '') continue;
    // A bare IPv6 literal is taken as its bracketed URL form.
    const host = text.includes(':') && !text.startsWith('[') ? `[${text}]` : text;
    let url: URL | undefined;
    try {
      url = new URL(`https://${host}/`);
    } catch {
      url = undefined;
    }
    if (url === undefined || url.hostname === '' || url.port !== '' || /[/?#@\\]/.test(host)) {
      throw new ConfigError(
        `WEB_PUSH_ALLOW_HOSTS entry "${text}" must be a host name or an IP address, without scheme, port or path`,
      );
    }
    // As the URL parser writes it (lower case, IPv4 in dotted decimal), which is how push URLs are compared.
    if (!hosts.includes(url.hostname)) hosts.push(url.hostname);
  }
  return hosts;
}

import { DEMO_TOKENS, DEMO_USERS, parseTokens, parseUsers } from './config/credentials-config';
import type { ServerConfig } from './config/server-config';
import { WEBSOCKET_PATH } from './push/websocket-options';

/** Where a started server can be reached, as `main.ts` found out after listening. */
export interface ListeningAt {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The LMTP address, or `undefined` when LMTP is off. */
  readonly lmtp: string | undefined;
}

/**
 * The lines a person needs after `npm start`: the page to open, the Session URL for clients, who can
 * sign in and where those users come from, and how push and delivery are set up.
 */
export function startupMessage(config: ServerConfig, at: ListeningAt): string {
  const users = sameCredentials(config)
    ? `the demo users (set JMAP_USERS and JMAP_TOKENS for your own): ${config.users
        .map(({ username, password }) => `${username} password ${password} token ${tokenOf(config, username)}`)
        .join('; ')}`
    : `${config.users.map((user) => user.username).join(', ')} from JMAP_USERS, ${config.tokens.length} token(s) from JMAP_TOKENS`;
  return [
    `JMAP server on ${at.baseUrl}`,
    `  page:    ${at.baseUrl}/`,
    `  Session: ${at.baseUrl}/.well-known/jmap`,
    `  users:   ${users}`,
    `  push:    ${at.baseUrl}/jmap/eventsource (${config.pushStreams.transport} transport)`,
    `  socket:  ${at.baseUrl.replace(/^http/, 'ws')}/${WEBSOCKET_PATH} (JMAP over WebSocket, with push)`,
    `  webpush: ${webPushLine(config)}`,
    `  LMTP:    ${at.lmtp ?? 'off'}`,
  ].join('\n');
}

/** PushSubscription over Web Push: where subscriptions live, and whose VAPID keys sign the pushes. */
function webPushLine({ webPush, redisUrl }: ServerConfig): string {
  const keys = webPush.vapid
    ? 'VAPID keys from WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY'
    : 'VAPID keys generated at this boot (set WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY to keep subscriptions working)';
  return `PushSubscription (RFC 8620 section 7.2), subscriptions ${redisUrl ? 'in Redis' : 'in memory'}, ${keys}, subject ${webPush.subject}`;
}

function tokenOf(config: ServerConfig, username: string): string {
  return config.tokens.find((token) => token.username === username)?.token ?? 'none';
}

/** Whether the configured users and tokens are the demo ones of the README. */
function sameCredentials(config: ServerConfig): boolean {
  const demoUsers = parseUsers(DEMO_USERS);
  return (
    JSON.stringify(config.users) === JSON.stringify(demoUsers) &&
    JSON.stringify(config.tokens) === JSON.stringify(parseTokens(DEMO_TOKENS, demoUsers))
  );
}

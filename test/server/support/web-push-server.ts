import { freePort } from '../../redis/support/redis-server-process';
import { USERS } from './server-fixture';

/**
 * The environment of a spawned server for the Web Push tests: the fixture's users and alice's token,
 * LMTP on a free port, the push service on 127.0.0.1 allowed (`WEB_PUSH_ALLOW_HOSTS`) and its test CA
 * trusted the way an operator trusts one, through Node's `NODE_EXTRA_CA_CERTS`.
 */
export async function webPushServerEnv(
  caFile: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    LMTP_PORT: String(await freePort()),
    JMAP_USERS: `${USERS.alice.username}:${USERS.alice.password},${USERS.bob.username}:${USERS.bob.password}`,
    JMAP_TOKENS: `${USERS.alice.username}:${USERS.alice.token}`,
    PUSH_SESSION_SECRET: 'a-test-secret-of-at-least-32-characters',
    WEB_PUSH_ALLOW_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: caFile,
    ...extra,
  };
}

/** A message for alice, as an MTA hands it over LMTP. */
export function mailForAlice(subject: string): string {
  return [
    'From: Carol <carol@example.org>',
    `To: ${USERS.alice.username}`,
    `Subject: ${subject}`,
    'Date: Wed, 01 May 2024 12:00:00 +0200',
    `Message-ID: <${subject.replace(/\W/g, '')}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello.',
    '',
  ].join('\r\n');
}

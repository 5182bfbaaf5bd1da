import { createHash } from 'node:crypto';

/**
 * The id of a user's personal account: a short hash of the user name, so every node of a cluster (and
 * every restart) names the same account the same way, which the push bus relies on. The `a` prefix keeps
 * ids from starting with a digit or a dash (RFC 8620 section 1.2 advises against both).
 */
export function accountIdFor(username: string): string {
  const digest = createHash('sha256').update(username.toLowerCase(), 'utf8').digest('hex');
  return `a${digest.slice(0, 16)}`;
}

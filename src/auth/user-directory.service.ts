import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEquals, type Authenticator, type Principal } from 'jmap-push';
import { createHash } from 'node:crypto';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { accountIdFor } from './account-id';
import type { AccountAccess, AuthenticatedUser, JmapUser } from './jmap-user';

/** A credential as the directory keeps it: the secret, and the user it proves. */
interface CredentialEntry {
  readonly secret: string;
  readonly user: AuthenticatedUser;
}

/**
 * The users of `JMAP_USERS`, their tokens (`JMAP_TOKENS`) and the grants of `JMAP_SHARES`. It is both the
 * API's login check and the push module's `Authenticator`, so the event source and the API agree on who
 * sees which account.
 */
@Injectable()
export class UserDirectory implements Authenticator {
  private readonly byName = new Map<string, JmapUser>();
  private readonly passwords = new Map<string, CredentialEntry>();
  /** Keyed by the token's digest, which says nothing about the token's characters to a timing attacker. */
  private readonly tokens = new Map<string, CredentialEntry>();
  private readonly byCredentialId = new Map<string, AuthenticatedUser>();
  private readonly byAccountId = new Map<string, JmapUser>();

  constructor(@Inject(SERVER_CONFIG) config: ServerConfig) {
    for (const { username, password } of config.users) {
      const accountId = accountIdFor(username);
      const accounts = new Map<string, AccountAccess>([
        [accountId, { accountId, name: username, isPersonal: true, isReadOnly: false }],
      ]);
      for (const share of config.shares.filter((grant) => grant.grantee === username)) {
        const sharedId = accountIdFor(share.owner);
        accounts.set(sharedId, { accountId: sharedId, name: share.owner, isPersonal: false, isReadOnly: true });
      }
      const user: JmapUser = { id: username, username, accountId, accounts, accountIds: [...accounts.keys()] };
      this.byName.set(username, user);
      this.byAccountId.set(accountId, user);
      this.passwords.set(username, this.credential(user, `password:${username}`, password));
    }
    for (const { username, token } of config.tokens) {
      const digest = tokenDigest(token);
      this.tokens.set(digest, this.credential(this.byName.get(username) as JmapUser, `token:${digest}`, token));
    }
  }

  /** Checks a password; `null` for an unknown user and a wrong password alike, in comparable time. */
  authenticateBasic(username: string, password: string): AuthenticatedUser | null {
    return verify(this.passwords.get(username.toLowerCase()), password);
  }

  /** Checks a Bearer token; `null` for an unknown one. */
  authenticateBearer(token: string): AuthenticatedUser | null {
    return verify(this.tokens.get(tokenDigest(token)), token);
  }

  /**
   * The principal as the directory has it now, for a session cookie or an open stream: its accounts as
   * currently granted, `null` when the user, or the credential it came with, is gone.
   */
  revalidate(principal: Principal): JmapUser | null {
    const credentialId = (principal as Partial<AuthenticatedUser>).credentialId;
    if (typeof credentialId === 'string') return this.byCredentialId.get(credentialId) ?? null;
    return this.byName.get(principal.id) ?? null;
  }

  /** The user a mail address delivers to, for LMTP; `undefined` for strangers. */
  findByAddress(address: string): JmapUser | undefined {
    return this.byName.get(address.trim().toLowerCase());
  }

  /** Every user, for creating their accounts at boot. */
  all(): JmapUser[] {
    return [...this.byName.values()];
  }

  /** The user owning a personal account. */
  ownerOf(accountId: string): JmapUser | undefined {
    return this.byAccountId.get(accountId);
  }

  private credential(user: JmapUser, credentialId: string, secret: string): CredentialEntry {
    const authenticated: AuthenticatedUser = { ...user, credentialId };
    this.byCredentialId.set(credentialId, authenticated);
    return { secret, user: authenticated };
  }
}

/** Compares against something even when nothing matched, so the answer time does not reveal what exists. */
function verify(entry: CredentialEntry | undefined, secret: string): AuthenticatedUser | null {
  const matches = constantTimeEquals(secret, entry?.secret ?? '\u0000unknown-credential');
  return entry && matches ? entry.user : null;
}

function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 32);
}

import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEquals, type Authenticator } from 'jmap-push';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { accountIdFor } from './account-id';
import type { AccountAccess, JmapUser } from './jmap-user';

interface UserEntry {
  readonly user: JmapUser;
  readonly password: string;
}

/**
 * The users of `JMAP_USERS` and the grants of `JMAP_SHARES`. It is both the API's login check and the
 * push module's `Authenticator`, so the event source and the API agree on who sees which account.
 */
@Injectable()
export class UserDirectory implements Authenticator {
  private readonly byName = new Map<string, UserEntry>();
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
      this.byName.set(username, { user, password });
      this.byAccountId.set(accountId, user);
    }
  }

  /** Checks a password; `null` for an unknown user and a wrong password alike, in comparable time. */
  authenticateBasic(username: string, password: string): JmapUser | null {
    const entry = this.byName.get(username.toLowerCase());
    // Compare against something even for unknown users so the answer time does not reveal who exists.
    const matches = constantTimeEquals(password, entry?.password ?? '\u0000unknown-user');
    return entry && matches ? entry.user : null;
  }

  /** The user a mail address delivers to, for LMTP; `undefined` for strangers. */
  findByAddress(address: string): JmapUser | undefined {
    return this.byName.get(address.trim().toLowerCase())?.user;
  }

  /** Every user, for creating their accounts at boot. */
  all(): JmapUser[] {
    return [...this.byName.values()].map((entry) => entry.user);
  }

  /** The user owning a personal account. */
  ownerOf(accountId: string): JmapUser | undefined {
    return this.byAccountId.get(accountId);
  }
}

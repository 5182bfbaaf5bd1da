import type { Principal } from 'jmap-push';

/** How a user may use an account they can see. */
export interface AccountAccess {
  readonly accountId: string;
  /** The owner's user name, shown as the account's `name`. */
  readonly name: string;
  /** The user's own account (`isPersonal` in the Session). */
  readonly isPersonal: boolean;
  /** Shared accounts are granted read-only: every write answers `accountReadOnly`. */
  readonly isReadOnly: boolean;
}

/** A user of this server: the push module's `Principal` (its `id` is the user name) plus what the API needs. */
export interface JmapUser extends Principal {
  readonly username: string;
  /** The personal account (the primary account for mail). */
  readonly accountId: string;
  /** Every account the user may read, keyed by account id; the own account first. */
  readonly accounts: ReadonlyMap<string, AccountAccess>;
}

/**
 * A user as one request proved to be: with the credential that did it. The password and each token are
 * credentials of their own, so what one of them set up (a push subscription, say) can end with it.
 */
export interface AuthenticatedUser extends JmapUser {
  /** `password:<user name>`, or `token:<digest of the token>`: unique, stable across restarts, never sent to clients. */
  readonly credentialId: string;
}

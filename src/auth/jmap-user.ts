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

/** An authenticated user of this server: the push module's `Principal` plus what the API needs. */
export interface JmapUser extends Principal {
  readonly username: string;
  /** The personal account (the primary account for mail). */
  readonly accountId: string;
  /** Every account the user may read, keyed by account id; the own account first. */
  readonly accounts: ReadonlyMap<string, AccountAccess>;
}

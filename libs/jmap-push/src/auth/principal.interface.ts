/**
 * Who is connected, as the host's authenticator vouches for them.
 *
 * `accountIds` lists every account the principal may read: their own, shared and delegated ones. The
 * module never sends a change of any other account to this principal's streams.
 */
export interface Principal {
  /** A stable identifier of the user; the per-principal stream limit counts by it. */
  readonly id: string;
  /** Every account whose changes this principal may see. */
  readonly accountIds: readonly string[];
  /**
   * The credential this principal was authenticated with (a password and a token of one user are two):
   * push subscriptions belong to it (RFC 8620 section 7.2). Default: `id`. Never sent to clients.
   */
  readonly credentialId?: string;
}

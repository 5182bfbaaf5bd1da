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
}

/** Sign-outs remembered per principal before its older sessions are revoked as a whole. */
const MAX_REVOKED_PER_PRINCIPAL = 16;

interface RevokedSession {
  readonly issuedAt: number;
  readonly expiresAt: number;
}

interface PrincipalRevocations {
  /** Session id to when it was minted (milliseconds) and expires (seconds). */
  readonly sessions: Map<string, RevokedSession>;
  /** Sessions of this principal minted at or before this time (milliseconds) are revoked; 0 for none. */
  mintedUpTo: number;
  /** When the last of the revoked sessions expires: the entry can go after that. */
  until: number;
}

/**
 * Revoked browser sessions, bounded: at most `MAX_REVOKED_PER_PRINCIPAL` ids per principal (one more
 * sign-out revokes all that principal's sessions minted so far, so a user who signs in and out in a loop
 * costs a constant), and principals whose revocations have all expired are dropped from the front of the
 * order of their latest sign-out, a few per call, without a full scan (an entry behind one that lives
 * longer waits for it: bounded by the number of principals either way).
 */
export class SessionRevocations {
  /** In order of each principal's latest revocation, so the oldest entries come first. */
  private readonly byPrincipal = new Map<string, PrincipalRevocations>();

  constructor(private readonly now: () => number) {}

  /**
   * Refuses the session from now on. Returns the principal's new bound when this sign-out made it
   * revoke all the principal's sessions minted up to then (their open subscriptions must end too).
   */
  revoke(principalId: string, sessionId: string, issuedAt: number, expiresAt: number): number | undefined {
    this.prune();
    const entry = this.byPrincipal.get(principalId) ?? {
      sessions: new Map<string, RevokedSession>(),
      mintedUpTo: 0,
      until: 0,
    };
    this.byPrincipal.delete(principalId);
    this.byPrincipal.set(principalId, entry);
    entry.until = Math.max(entry.until, expiresAt);
    const now = this.now();
    for (const [id, session] of entry.sessions) if (session.expiresAt <= now) entry.sessions.delete(id);
    if (entry.sessions.size < MAX_REVOKED_PER_PRINCIPAL || entry.sessions.has(sessionId)) {
      entry.sessions.set(sessionId, { issuedAt, expiresAt });
      return undefined;
    }
    // Every remembered session was minted at or before the newest of them: one bound covers them all
    // (and any unrevoked session minted meanwhile, which is the price of the bound).
    for (const session of entry.sessions.values()) entry.mintedUpTo = Math.max(entry.mintedUpTo, session.issuedAt);
    entry.mintedUpTo = Math.max(entry.mintedUpTo, issuedAt);
    entry.sessions.clear();
    return entry.mintedUpTo;
  }

  isRevoked(principalId: string, sessionId: string, issuedAt: number): boolean {
    const entry = this.byPrincipal.get(principalId);
    return entry !== undefined && (issuedAt <= entry.mintedUpTo || entry.sessions.has(sessionId));
  }

  /** Principals with remembered revocations (for tests). */
  get size(): number {
    return this.byPrincipal.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [principalId, entry] of this.byPrincipal) {
      if (entry.until > now) return;
      this.byPrincipal.delete(principalId);
    }
  }
}

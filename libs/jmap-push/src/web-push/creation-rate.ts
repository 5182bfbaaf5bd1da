/** The window `maxCreationsPerMinute` counts over. */
const MINUTE_MS = 60_000;

/**
 * Counts PushSubscription creations per credential over a sliding minute (RFC 8620 section 8.6: "The
 * rate of creation MUST also be limited", each creation sends a PushVerification to a URL of the
 * client's choosing). It holds at most `limit` times per credential, and only for credentials that
 * created something in the last minute, so its memory is bounded by recent activity, not by history.
 *
 * It counts in this process only: behind N nodes a credential may create up to N times the limit.
 */
export class CreationRate {
  /**
   * Credential to the times of its latest creations, oldest first. The map is kept in order of each
   * credential's latest creation (re-inserted on every one), so the stale ones are always at its front.
   */
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly limit: number) {}

  /** Whether `credentialId` may create one more subscription at `now`. */
  allows(credentialId: string, now: number): boolean {
    this.forgetBefore(now - MINUTE_MS);
    const times = this.recent.get(credentialId);
    if (!times) return true;
    const inWindow = times.filter((time) => time > now - MINUTE_MS).length;
    return inWindow < this.limit;
  }

  /** Counts one creation by `credentialId` at `now`. */
  record(credentialId: string, now: number): void {
    const times = (this.recent.get(credentialId) ?? []).filter((time) => time > now - MINUTE_MS);
    times.push(now);
    // Only the latest `limit` times can decide anything.
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.recent.delete(credentialId);
    this.recent.set(credentialId, times);
  }

  /** Credentials tracked now (for tests of the memory bound). */
  get size(): number {
    return this.recent.size;
  }

  private forgetBefore(cutoff: number): void {
    for (const [credentialId, times] of this.recent) {
      if (times[times.length - 1] > cutoff) break;
      this.recent.delete(credentialId);
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemType } from '../problem/problem-details';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import type { PushSettings } from '../push-settings';
import type { Principal } from '../auth/principal.interface';
import { ShuttingDownException } from '../problem/shutting-down.exception';

/**
 * Counts subscriptions per principal and in total, synchronously, so a burst of concurrent connects can
 * never be over-admitted: the check and the count happen in one turn of the event loop.
 */
@Injectable()
export class SubscriptionAdmission {
  private total = 0;
  private readonly perPrincipal = new Map<string, number>();
  private closed = false;

  constructor(
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly metrics: PushMetrics,
  ) {}

  /**
   * Takes a slot for `principal`, or throws 429 problem details (a limit) or `ShuttingDownException`. The
   * holder gives it back with `release`, exactly once (a `Subscription` does so when it ends): no closure
   * is kept per slot, as a node holds tens of thousands.
   */
  admit(principal: Principal): void {
    if (this.closed) {
      this.metrics.rejected('unavailable');
      throw new ShuttingDownException();
    }
    const held = this.perPrincipal.get(principal.id) ?? 0;
    if (held >= this.settings.maxStreamsPerPrincipal) throw this.limit('maxStreamsPerPrincipal');
    if (this.total >= this.settings.maxStreams) throw this.limit('maxStreams');
    this.total++;
    this.perPrincipal.set(principal.id, held + 1);
  }

  /** Gives back a slot `admit` took for the principal of this id. */
  release(principalId: string): void {
    const held = this.perPrincipal.get(principalId);
    if (held === undefined) return;
    this.total--;
    if (held <= 1) this.perPrincipal.delete(principalId);
    else this.perPrincipal.set(principalId, held - 1);
  }

  /** Refuses every later connection: the application is closing. */
  close(): void {
    this.closed = true;
  }

  /** Slots held now (for tests and leak checks). */
  get held(): number {
    return this.total;
  }

  private limit(limit: 'maxStreams' | 'maxStreamsPerPrincipal'): ProblemDetailsException {
    this.metrics.rejected('tooManyStreams');
    return new ProblemDetailsException(
      {
        type: ProblemType.limit,
        status: 429,
        title: 'Too many event streams',
        detail: `The ${limit} limit of ${this.settings[limit]} open streams is reached`,
        limit,
      },
      this.retryAfter(),
    );
  }

  private retryAfter(): Record<string, string> {
    return { 'Retry-After': String(this.settings.retryAfterSeconds) };
  }
}

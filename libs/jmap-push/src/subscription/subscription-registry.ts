import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Authentication, SignOut } from '../auth/authentication';
import { BrowserSessions } from '../auth/browser-sessions';
import type { Principal } from '../auth/principal.interface';
import { PushBus, type PublishedChange } from '../bus/push-bus.interface';
import { PushMetrics } from '../metrics/push-metrics';
import { PingScheduler } from '../ping/ping-scheduler';
import { filterTypeStates } from '../state/merge-type-states';
import { describeError } from '../util/describe-error';
import { StallWatch } from './stall-watch';
import { StateEvent } from './state-event';
import { Subscription } from './subscription';
import { SubscriptionAdmission } from './subscription-admission';
import type { SubscriptionContext } from './subscription-context';
import { SubscriptionIndex } from './subscription-index';

/**
 * Every subscription of this process, for every channel: it makes them, fans the bus's changes out to
 * them (a change reaches exactly the subscriptions of its account, serialised once per type filter), and
 * tells them of revocations, sign-outs and shutdown. Each subscription runs its own lifecycle.
 */
@Injectable()
export class SubscriptionRegistry implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  readonly index = new SubscriptionIndex();
  private readonly context: SubscriptionContext;
  private stopListening: (() => void) | undefined;
  private stopSignOuts: (() => void) | undefined;

  constructor(
    @Inject(PushBus) private readonly bus: PushBus,
    private readonly admission: SubscriptionAdmission,
    private readonly sessions: BrowserSessions,
    metrics: PushMetrics,
    scheduler: PingScheduler,
    stallWatch: StallWatch,
  ) {
    const logger = new Logger('JmapPush');
    this.context = { admission, index: this.index, bus, scheduler, stallWatch, metrics, logger };
  }

  async onModuleInit(): Promise<void> {
    this.stopListening = this.bus.listen((change) => {
      this.deliver(change);
    });
    this.stopSignOuts = this.sessions.onSignOut((signOut) => {
      this.signedOut(signOut);
    });
    await this.bus.ready?.();
  }

  /** Closing begins: refuse new subscriptions and end every one, so the HTTP server can close. */
  onModuleDestroy(): void {
    this.admission.close();
    for (const subscription of [...this.index.all]) subscription.end('shutdown');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    this.stopSignOuts?.();
    await this.bus.close?.();
  }

  /** Subscriptions held now. */
  get size(): number {
    return this.index.all.size;
  }

  /**
   * Admits a subscription (or throws the 429 / shutting-down problem); it receives changes once its
   * channel calls `open()` with a sink.
   */
  subscribe(authentication: Authentication): Subscription {
    return new Subscription(authentication, this.context);
  }

  /** Fans one change out to the subscriptions of its account. Called by the bus, once per change. */
  deliver(change: PublishedChange): void {
    const subscriptions = this.index.ofAccount(change.accountId);
    if (!subscriptions) return;
    // One serialisation per type filter. Subscriptions of one account mostly share a filter, so the last
    // one used is checked first; a Map is made only when a second filter shows up.
    let lastKey: string | undefined;
    let lastEvent: StateEvent | null = null;
    let events: Map<string, StateEvent | null> | undefined;
    for (const subscription of subscriptions) {
      const key = subscription.filterKey;
      if (key !== lastKey) {
        if (lastKey !== undefined) (events ??= new Map()).set(lastKey, lastEvent);
        let found = events?.get(key);
        if (found === undefined) {
          const kept = filterTypeStates(change.changed, subscription.spec.types);
          found = kept ? new StateEvent(change.id, { [change.accountId]: kept }) : null;
        }
        lastKey = key;
        lastEvent = found;
      }
      if (lastEvent === null) continue;
      try {
        subscription.deliver(lastEvent);
      } catch (error) {
        // One broken connection must not cost the others their changes; it is cut off, so the client
        // reconnects with its last event id.
        this.context.logger.warn(`A subscription failed and was ended: ${describeError(error)}`);
        subscription.end('writeFailed');
      }
    }
  }

  /** Ends the subscriptions of a session that signed out, and of all it revoked with it. */
  private signedOut({ principalId, sessionId, mintedUpTo }: SignOut): void {
    for (const subscription of this.index.ofSession(sessionId)) subscription.end('signedOut');
    if (mintedUpTo === undefined) return;
    for (const subscription of this.index.ofPrincipal(principalId)) {
      if (subscription.session && subscription.session.issuedAt <= mintedUpTo) subscription.end('signedOut');
    }
  }

  /** The principals with subscriptions, as last vouched for (for `PrincipalRevalidator`). */
  principals(): Principal[] {
    return this.index.principals();
  }

  /**
   * Applies a re-check of a principal: `null` (or a principal of another id) ends its subscriptions;
   * otherwise each now carries exactly the accounts the principal may read.
   */
  updatePrincipal(principalId: string, fresh: Principal | null): void {
    if (!fresh || fresh.id !== principalId) {
      for (const subscription of this.index.ofPrincipal(principalId)) subscription.end('revoked');
      return;
    }
    this.index.vouched(fresh);
    for (const subscription of this.index.ofPrincipal(principalId)) subscription.narrow(fresh);
  }
}

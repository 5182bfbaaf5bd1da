import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { PushBus } from '../bus/push-bus.interface';
import { PushMetrics } from '../metrics/push-metrics';
import { describeError } from '../util/describe-error';
import { DeliverySignal } from './delivery-signal';
import { attemptPush, type ClaimAction } from './push-attempt';
import { PushChangeIntake } from './push-change-intake';
import { PushSender } from './push-sender';
import type { DeliveryClaim } from './push-subscription';
import { PushSubscriptionStore } from './push-subscription-store.interface';
import { retire } from './subscription-retirement';
import { WEB_PUSH_SETTINGS } from './web-push.internal-constants';
import type { WebPushSettings } from './web-push-settings';

/** How long shutdown lets pushes in flight finish before it hands them back to the store. */
const SHUTDOWN_GRACE_MS = 2_000;
/**
 * The shortest wait for the next due push: a due time already past that `claimDue` did not hand out
 * (another node holds it) is looked at again after this, not in a busy loop.
 */
const MIN_WAKE_DELAY_MS = 25;
/** setTimeout's longest delay; a later due time is looked at again after it. */
const MAX_WAKE_DELAY_MS = 2 ** 31 - 1;

/** One claim being sent. `abandoned` once shutdown handed it back: its late outcome is then ignored. */
class InFlightPush {
  abandoned = false;
  /** Settles when the push is over and applied to the store. */
  done: Promise<void> = Promise.resolve();

  constructor(readonly claim: DeliveryClaim) {}
}

/**
 * The Web Push delivery worker. It takes the bus's changes into the store's pending pushes (from the
 * store's own change feed when it has one, so each change is taken once across nodes), and sends what
 * falls due: it claims pending pushes (`claimDue`, at most `maxConcurrentPushes` in flight), sends each
 * (`attemptPush`) and settles it, or destroys its subscription.
 *
 * It looks for due pushes when changes were queued, when `DeliverySignal` is notified (a new
 * subscription's PushVerification goes out at once, maybe before the `/set` response), when a push
 * settles, at the store's next due time, and every `pollIntervalMs` when the store is shared by nodes
 * (another node's changes and retries fall due there too).
 *
 * On shutdown it stops claiming, gives the pushes in flight a moment, and hands back those still going
 * as due now, so another node (or the next start) sends them.
 */
@Injectable()
export class PushDelivery
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('JmapPush');
  private readonly inFlight = new Set<InFlightPush>();
  private readonly intake: PushChangeIntake | undefined;
  private running = false;
  private pumping = false;
  /** Wake-ups so far: one that comes while a pass runs makes another pass follow. */
  private wakeups = 0;
  private dueTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopIngesting: (() => void | Promise<void>) | undefined;
  private stopSignal: (() => void) | undefined;
  private pass: Promise<void> | undefined;

  constructor(
    @Inject(WEB_PUSH_SETTINGS) private readonly settings: WebPushSettings | null,
    @Inject(PushSubscriptionStore) private readonly store: PushSubscriptionStore | null,
    @Inject(PushBus) private readonly bus: PushBus,
    @Inject(PushSender) private readonly sender: PushSender | null,
    private readonly signal: DeliverySignal,
    private readonly metrics: PushMetrics,
  ) {
    if (settings && store) {
      this.intake = new PushChangeIntake({
        store,
        settings,
        metrics,
        logger: this.logger,
        queued: () => {
          this.wake();
        },
      });
    }
  }

  /** A shared store's change feed exists before the app serves, so no change made after start-up is missed. */
  async onModuleInit(): Promise<void> {
    await this.store?.ready?.();
  }

  onApplicationBootstrap(): void {
    const { store, intake, settings } = this;
    if (!store || !intake || !settings) return;
    this.running = true;
    const consume = store.consumeChanges?.bind(store);
    if (consume) {
      this.stopIngesting = consume(async (change) => {
        try {
          await intake.take(change);
        } catch (error) {
          // Not resolved, the change stays with the store's feed, which hands it out again.
          this.logger.warn(`A change could not be queued for Web Push: ${describeError(error)}`);
          throw error;
        }
      });
      // Other nodes queue changes and retries in the shared store: look for what fell due regularly.
      this.pollTimer = setInterval(() => {
        this.wake();
      }, settings.pollIntervalMs).unref();
    } else {
      this.stopIngesting = this.bus.listen((change) => {
        intake.offer(change);
      });
    }
    this.stopSignal = this.signal.onNotify(() => {
      this.wake();
    });
    // Pushes left pending by the last run (a retry, a verification) are sent without waiting for a change.
    this.wake();
  }

  /** Closing begins: no more claims or changes. What is in flight finishes in `beforeApplicationShutdown`. */
  onModuleDestroy(): void {
    this.running = false;
    clearTimeout(this.dueTimer);
    clearInterval(this.pollTimer);
    this.stopSignal?.();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const stopped = Promise.resolve(this.stopIngesting?.());
    this.stopIngesting = undefined;
    await bounded(Promise.all([stopped, this.intake?.idle(), this.pass]), SHUTDOWN_GRACE_MS);
    await bounded(Promise.all([...this.inFlight].map((push) => push.done)), SHUTDOWN_GRACE_MS);
    // Still going: handed back as due now, so no node waits for the lease to run out to send them.
    const now = Date.now();
    await Promise.all(
      [...this.inFlight].map(async (push) => {
        push.abandoned = true;
        this.inFlight.delete(push);
        await this.settle(push.claim, { kind: 'settle', result: { outcome: 'retry', at: now } });
      }),
    );
    // The pool closes once the abandoned requests end (each is bounded by requestTimeoutMs); shutdown
    // does not wait that long for answers it will ignore.
    if (this.sender) await bounded(this.sender.close(), SHUTDOWN_GRACE_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close?.();
  }

  /** Pushes being sent now (for tests). */
  get pushesInFlight(): number {
    return this.inFlight.size;
  }

  /** Resolves once every change the bus delivered so far reached the store (for tests). */
  changesTaken(): Promise<void> {
    return this.intake?.idle() ?? Promise.resolve();
  }

  /** Whether shutdown began (a method, so a check after an await is not narrowed away). */
  private stopping(): boolean {
    return !this.running;
  }

  /** Looks for due pushes now: soon after, or right after the pass that is running. */
  wake(): void {
    this.wakeups++;
    if (this.stopping() || this.pumping) return;
    this.pass = this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    let seen = this.wakeups;
    try {
      do {
        seen = this.wakeups;
        await this.claimWhileDue();
      } while (this.wakeups !== seen && !this.stopping());
      await this.armDueTimer();
    } catch (error) {
      this.logger.warn(`Web Push delivery could not read the store: ${describeError(error)}`);
      this.armTimer(Date.now() + (this.settings?.pollIntervalMs ?? MIN_WAKE_DELAY_MS));
    } finally {
      this.pumping = false;
    }
    if (this.wakeups !== seen) this.wake();
  }

  /** Claims and starts pushes until none is due or `maxConcurrentPushes` are in flight. */
  private async claimWhileDue(): Promise<void> {
    const store = this.store as PushSubscriptionStore;
    const settings = this.settings as WebPushSettings;
    while (this.running) {
      const free = settings.maxConcurrentPushes - this.inFlight.size;
      // Full: each push that ends wakes the worker again.
      if (free <= 0) return;
      const claims = await store.claimDue(Date.now(), settings.claimLeaseMs, free);
      if (this.stopping()) {
        // Shutdown began while claiming: hand them back at once instead of sending.
        await Promise.all(
          claims.map((claim) => this.settle(claim, { kind: 'settle', result: { outcome: 'retry', at: Date.now() } })),
        );
        return;
      }
      for (const claim of claims) this.start(claim);
      if (claims.length < free) return;
    }
  }

  private start(claim: DeliveryClaim): void {
    const push = new InFlightPush(claim);
    this.inFlight.add(push);
    push.done = this.send(push).finally(() => {
      this.inFlight.delete(push);
      this.wake();
    });
  }

  private async send(push: InFlightPush): Promise<void> {
    const { claim } = push;
    let action: ClaimAction;
    try {
      action = await attemptPush(claim, {
        sender: this.sender as PushSender,
        settings: this.settings as WebPushSettings,
        metrics: this.metrics,
        logger: this.logger,
      });
    } catch (error) {
      // The sender reports what the network and the push service do as outcomes; it throws only for a
      // push it will never send (a body over the RFC 8291 budget): sending it again would only fail again.
      this.logger.error(`A push to subscription ${claim.subscription.id} was dropped: ${describeError(error)}`);
      action = { kind: 'settle', result: { outcome: 'done' } };
    }
    if (push.abandoned) return;
    await this.settle(claim, action);
  }

  /** Applies an attempt's end to the store; a store failure leaves the claim to its lease. */
  private async settle(claim: DeliveryClaim, action: ClaimAction): Promise<void> {
    const store = this.store as PushSubscriptionStore;
    const id = claim.subscription.id;
    try {
      if (action.kind === 'destroy') await retire(store, this.metrics, id, action.reason);
      else await store.settle(id, action.result, Date.now());
    } catch (error) {
      this.logger.warn(
        `The push to subscription ${id} could not be settled; it is due again when its lease ends: ${describeError(error)}`,
      );
    }
  }

  private async armDueTimer(): Promise<void> {
    const settings = this.settings as WebPushSettings;
    // Full: a push that ends wakes the worker; a timer would only spin.
    if (!this.running || this.inFlight.size >= settings.maxConcurrentPushes) return;
    const due = await (this.store as PushSubscriptionStore).nextDueAt();
    if (due === undefined) {
      clearTimeout(this.dueTimer);
      return;
    }
    this.armTimer(due);
  }

  private armTimer(at: number): void {
    clearTimeout(this.dueTimer);
    if (this.stopping()) return;
    const delay = Math.min(Math.max(at - Date.now(), MIN_WAKE_DELAY_MS), MAX_WAKE_DELAY_MS);
    this.dueTimer = setTimeout(() => {
      this.wake();
    }, delay).unref();
  }
}

/** Waits for `work`, but no longer than `ms`; a failure of `work` is someone else's to report. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { PushSettings } from '../push-settings';
import { describeError } from '../util/describe-error';
import { withTimeout } from '../util/with-timeout';
import type { Principal } from '../auth/principal.interface';
import { Authenticator } from '../auth/authenticator.interface';
import { isPrincipal } from '../auth/is-principal';
import { SubscriptionRegistry } from './subscription-registry';

/** Principals re-checked at once; bounds the burst on the host's directory. */
const CONCURRENCY = 32;

/**
 * Re-asks the host's authenticator about every principal with subscriptions, every
 * `revalidateIntervalMs`, so that revoked grants stop flowing on subscriptions made before the revocation.
 * Runs only when the authenticator implements `revalidate`.
 */
@Injectable()
export class PrincipalRevalidator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('JmapPush');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly registry: SubscriptionRegistry,
  ) {}

  onModuleInit(): void {
    if (!this.authenticator.revalidate) return;
    this.timer = setInterval(() => void this.revalidateAll(), this.settings.revalidateIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * One pass over the principals with subscriptions (exposed for tests): at most `CONCURRENCY` questions
   * at once, each bounded by `authenticationTimeoutMs`, so a directory that hangs on one principal holds
   * up neither the others nor the next pass.
   */
  async revalidateAll(): Promise<void> {
    const revalidate = this.authenticator.revalidate?.bind(this.authenticator);
    if (!revalidate || this.running) return;
    this.running = true;
    try {
      const queue = this.registry.principals();
      const worker = async (): Promise<void> => {
        for (let principal = queue.pop(); principal; principal = queue.pop()) await this.recheck(principal, revalidate);
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    } finally {
      this.running = false;
    }
  }

  private async recheck(principal: Principal, revalidate: NonNullable<Authenticator['revalidate']>): Promise<void> {
    const timeoutMs = this.settings.authenticationTimeoutMs;
    try {
      const fresh = await withTimeout(
        () => revalidate(principal),
        timeoutMs,
        () => new Error('revalidate timed out'),
      );
      this.registry.updatePrincipal(principal.id, isPrincipal(fresh) ? fresh : null);
    } catch (error) {
      // A directory outage should not disconnect everyone: the subscriptions stay as they are.
      this.logger.warn(
        `revalidate(${principal.id}) failed; its subscriptions stay as they are: ${describeError(error)}`,
      );
    }
  }
}

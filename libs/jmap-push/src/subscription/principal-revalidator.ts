import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { PushSettings } from '../push-settings';
import { describeError } from '../util/describe-error';
import { Authenticator } from '../auth/authenticator.interface';
import { isPrincipal } from '../auth/is-principal';
import { SubscriptionRegistry } from './subscription-registry';

/** Principals re-checked at once; bounds the burst on the host's directory. */
const BATCH = 32;

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

  /** One pass over the principals with subscriptions (exposed for tests). */
  async revalidateAll(): Promise<void> {
    const revalidate = this.authenticator.revalidate?.bind(this.authenticator);
    if (!revalidate || this.running) return;
    this.running = true;
    try {
      const principals = this.registry.principals();
      for (let i = 0; i < principals.length; i += BATCH) {
        await Promise.all(
          principals.slice(i, i + BATCH).map(async (principal) => {
            try {
              const fresh = await revalidate(principal);
              this.registry.updatePrincipal(principal.id, isPrincipal(fresh) ? fresh : null);
            } catch (error) {
              this.logger.warn(
                `revalidate(${principal.id}) failed; its subscriptions stay as they are: ${describeError(error)}`,
              );
            }
          }),
        );
      }
    } finally {
      this.running = false;
    }
  }
}

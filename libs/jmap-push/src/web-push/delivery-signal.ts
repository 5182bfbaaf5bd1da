import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '../util/describe-error';

/**
 * Tells the delivery worker that a push fell due now (a new subscription's PushVerification), so it
 * looks at the store at once instead of at its next poll. Listeners run synchronously inside
 * `notify()` and must only schedule work: `PushSubscription/set` calls it before it answers.
 */
@Injectable()
export class DeliverySignal {
  private readonly listeners = new Set<() => void>();
  private readonly logger = new Logger('JmapPush');

  notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        // A listener's bug must not fail the method call that signalled; the next poll still finds the push.
        this.logger.error(`a delivery signal listener failed: ${describeError(error)}`);
      }
    }
  }

  /** Adds a listener; the function returned removes it. */
  onNotify(listener: () => void): () => void {
    const own = (): void => {
      listener();
    };
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }
}

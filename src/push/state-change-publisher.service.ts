import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { StateChangeService } from 'jmap-push';
import { MailStore, type CommittedChange } from '../store/mail-store.service';

/**
 * Pushes every committed write: listens to the store's single commit point and publishes the new states
 * through `StateChangeService`. The values are the ones `Foo/get` returns from then on, because both
 * read the same account counters.
 */
@Injectable()
export class StateChangePublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StateChangePublisher.name);
  private stopListening?: () => void;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly store: MailStore,
    private readonly stateChanges: StateChangeService,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.store.onCommit((change) => {
      this.publish(change);
    });
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /** Resolves once every publication started so far has settled (for an orderly shutdown and tests). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private publish(change: CommittedChange): void {
    // publish() hands the change to the bus synchronously, so changes keep their commit order; a failed
    // publication loses only a notification (clients resync through /changes), never data.
    const publication = this.stateChanges
      .publish(change.accountId, change.changed as Record<string, string>)
      .catch((error: unknown) => {
        this.logger.error(
          `could not push the change of account ${change.accountId}`,
          error instanceof Error ? error.stack : String(error),
        );
      })
      .finally(() => this.pending.delete(publication));
    this.pending.add(publication);
  }
}

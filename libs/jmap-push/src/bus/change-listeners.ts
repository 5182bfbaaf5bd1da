import type { Logger } from '@nestjs/common';
import { describeError } from '../util/describe-error';
import type { ChangeListener, PublishedChange } from './push-bus.interface';

/** The listeners of a bus, and the one way a change reaches them. */
export class ChangeListeners {
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly logger: Logger) {}

  /** Adds a listener; returns its removal. */
  add(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many are registered now: one per listening registry, so more means one leaked. */
  get size(): number {
    return this.listeners.size;
  }

  clear(): void {
    this.listeners.clear();
  }

  /** Hands the change to every listener in turn. */
  notify(change: PublishedChange): void {
    for (const listener of this.listeners) {
      // The change is recorded: one failing listener must cost the others neither it nor the bus its
      // delivery path (the caller's promise, the Redis read loop).
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`A push bus listener failed: ${describeError(error)}`);
      }
    }
  }
}

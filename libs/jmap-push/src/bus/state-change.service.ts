import { Inject, Injectable } from '@nestjs/common';
import { InvalidStateChangeError } from '../errors/invalid-state-change.error';
import { PushMetrics } from '../metrics/push-metrics';
import { validStateChange } from '../state/state-change-check';
import { TypeRegistry } from '../state/type-registry';
import type { TypeState } from '../state/type-state';
import { PushBus } from './push-bus.interface';

/**
 * What a backend calls after a write commits: "account X now has these states".
 *
 * Validation happens here, before the bus, so a bad call rejects with a clear error and no stream ever
 * sees a malformed change.
 */
@Injectable()
export class StateChangeService {
  private readonly isKnownType = (type: string): boolean => this.types.has(type);

  constructor(
    @Inject(PushBus) private readonly bus: PushBus,
    private readonly types: TypeRegistry,
    private readonly metrics: PushMetrics,
  ) {}

  /**
   * Publishes new states of one account, e.g. `publish('acc-1', { Email: 'e42', Thread: 't17' })`.
   * Each state must be exactly what `Foo/get` returns as `state`. Resolves with the event id.
   */
  publish(accountId: string, changed: TypeState): Promise<string> {
    // Not an async function: on the in-memory bus the fan-out has happened by the time this returns,
    // and a publish loop (a delivery run) pays one promise per change, not two. Every throw, a hostile
    // object's or a bus's, still becomes a rejection: callers only ever see a promise.
    try {
      const copy = validStateChange('publish()', accountId, changed, this.isKnownType);
      return this.bus.publish(accountId, copy).then((id) => {
        this.metrics.published++;
        return id;
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new InvalidStateChangeError(String(error)));
    }
  }
}

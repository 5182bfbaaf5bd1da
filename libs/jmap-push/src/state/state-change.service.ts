import { Inject, Injectable } from '@nestjs/common';
import { PushBus } from '../bus/push-bus.interface';
import { PushMetrics } from '../metrics/push-metrics';
import { InvalidStateChangeError } from './invalid-state-change.error';
import { TypeRegistry } from './type-registry';
import type { TypeState } from './type-state';

/**
 * What a backend calls after a write commits: "account X now has these states".
 *
 * Validation happens here, before the bus, so a bad call rejects with a clear error and no stream ever
 * sees a malformed change.
 */
@Injectable()
export class StateChangeService {
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
      const copy = this.validCopy(accountId, changed);
      return this.bus.publish(accountId, copy).then((id) => {
        this.metrics.published++;
        return id;
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new InvalidStateChangeError(String(error)));
    }
  }

  /**
   * Checks the input and copies it in one pass: the copy is what travels, so a caller that mutates
   * its object after `publish()` changes nothing.
   */
  private validCopy(accountId: unknown, changed: unknown): TypeState {
    if (typeof accountId !== 'string' || accountId.length === 0) {
      throw new InvalidStateChangeError('publish(): accountId must be a non-empty string');
    }
    if (typeof changed !== 'object' || changed === null || Array.isArray(changed)) {
      throw new InvalidStateChangeError('publish(): changed must be an object of type name to state');
    }
    const copy: Record<string, string> = {};
    let types = 0;
    for (const type of Object.keys(changed)) {
      const state = (changed as Record<string, unknown>)[type];
      if (!this.types.has(type)) {
        throw new InvalidStateChangeError(`publish(): unknown type "${type}"; add it with the "types" option`);
      }
      if (typeof state !== 'string' || state.length === 0) {
        throw new InvalidStateChangeError(`publish(): the state of "${type}" must be a non-empty string`);
      }
      copy[type] = state;
      types++;
    }
    if (types === 0) throw new InvalidStateChangeError('publish(): changed names no type');
    return copy;
  }
}

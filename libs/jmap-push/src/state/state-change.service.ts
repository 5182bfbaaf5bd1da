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
  async publish(accountId: string, changed: TypeState): Promise<string> {
    this.assertValid(accountId, changed);
    const id = await this.bus.publish(accountId, { ...changed });
    // `PushMetrics.published` was declared and reported but never counted (always 0): count each
    // change the bus accepted, here, where every bus's publications pass.
    this.metrics.published++;
    return id;
  }

  private assertValid(accountId: unknown, changed: unknown): asserts changed is TypeState {
    if (typeof accountId !== 'string' || accountId.length === 0) {
      throw new InvalidStateChangeError('publish(): accountId must be a non-empty string');
    }
    if (typeof changed !== 'object' || changed === null || Array.isArray(changed)) {
      throw new InvalidStateChangeError('publish(): changed must be an object of type name to state');
    }
    const entries = Object.entries(changed);
    if (entries.length === 0) {
      throw new InvalidStateChangeError('publish(): changed names no type');
    }
    for (const [type, state] of entries) {
      if (!this.types.has(type)) {
        throw new InvalidStateChangeError(`publish(): unknown type "${type}"; add it with the "types" option`);
      }
      if (typeof state !== 'string' || state.length === 0) {
        throw new InvalidStateChangeError(`publish(): the state of "${type}" must be a non-empty string`);
      }
    }
  }
}

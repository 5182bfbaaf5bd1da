import type { ArgumentReader } from '../argument-reader';
import { isObject } from '../argument-reader';
import { CORE_LIMITS } from '../capabilities';
import { invalidArguments, MethodError, SetError } from '../method-error';

/** The three maps of a `/set`, read and checked. */
export interface SetRequest {
  readonly create: Record<string, Record<string, unknown>>;
  readonly update: Record<string, Record<string, unknown>>;
  readonly destroy: string[];
}

/** The arguments every `/set` takes besides its own extras. */
export const SET_ARGUMENTS = ['accountId', 'ifInState', 'create', 'update', 'destroy'] as const;

/**
 * Reads `create`, `update`, `destroy`, refuses more than `maxObjectsInSet` (`requestTooLarge`) and a
 * stale `ifInState` (`stateMismatch`).
 */
export function readSetRequest(reader: ArgumentReader, currentState: string): SetRequest {
  const create = reader.object('create') ?? {};
  const update = reader.object('update') ?? {};
  const destroy = reader.stringList('destroy') ?? [];
  for (const [key, value] of [...Object.entries(create), ...Object.entries(update)]) {
    if (!isObject(value)) throw invalidArguments(`the value for "${key}" must be an object`);
  }
  const count = Object.keys(create).length + Object.keys(update).length + destroy.length;
  if (count > CORE_LIMITS.maxObjectsInSet) {
    throw new MethodError('requestTooLarge', `at most ${CORE_LIMITS.maxObjectsInSet} objects per /set`);
  }
  const ifInState = reader.optionalString('ifInState');
  if (ifInState !== null && ifInState !== currentState) {
    throw new MethodError('stateMismatch', `the state is "${currentState}", not "${ifInState}"`);
  }
  return {
    create: create as Record<string, Record<string, unknown>>,
    update: update as Record<string, Record<string, unknown>>,
    destroy,
  };
}

/** Collects the results of one `/set` and renders its response (RFC 8620 section 5.3). */
export class SetOutcome {
  private readonly created: Record<string, Record<string, unknown>> = {};
  private readonly notCreated: Record<string, Record<string, unknown>> = {};
  private readonly updated: Record<string, Record<string, unknown> | null> = {};
  private readonly notUpdated: Record<string, Record<string, unknown>> = {};
  private readonly destroyed: string[] = [];
  private readonly notDestroyed: Record<string, Record<string, unknown>> = {};

  /** Runs one create; a thrown `SetError` becomes its `notCreated` entry. */
  tryCreate(creationId: string, create: () => Record<string, unknown>): void {
    try {
      this.created[creationId] = create();
    } catch (error) {
      this.notCreated[creationId] = asSetError(error);
    }
  }

  tryUpdate(id: string, update: () => Record<string, unknown> | null): void {
    try {
      this.updated[id] = update();
    } catch (error) {
      this.notUpdated[id] = asSetError(error);
    }
  }

  tryDestroy(id: string, destroy: () => void): void {
    try {
      destroy();
      this.destroyed.push(id);
    } catch (error) {
      this.notDestroyed[id] = asSetError(error);
    }
  }

  toResponse(accountId: string, oldState: string, newState: string): Record<string, unknown> {
    const orNull = <T extends object>(value: T) => (Object.keys(value).length > 0 ? value : null);
    return {
      accountId,
      oldState,
      newState,
      created: orNull(this.created),
      updated: orNull(this.updated),
      destroyed: this.destroyed.length > 0 ? this.destroyed : null,
      notCreated: orNull(this.notCreated),
      notUpdated: orNull(this.notUpdated),
      notDestroyed: orNull(this.notDestroyed),
    };
  }
}

function asSetError(error: unknown): Record<string, unknown> {
  if (error instanceof SetError) return error.toJSON();
  // Anything else is a bug: let the call fail as serverFail rather than hide it in one entry.
  throw error;
}

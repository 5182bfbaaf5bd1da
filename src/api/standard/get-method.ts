import { resolveCreationRef } from '../account-resolver';
import type { ArgumentReader } from '../argument-reader';
import { CORE_LIMITS } from '../capabilities';
import type { MethodContext } from '../method-context';
import { invalidArguments, MethodError } from '../method-error';

/**
 * The properties a `/get` returns: the requested ones (each must be known, else `invalidArguments`), or
 * `defaults` when `properties` is null; `id` always (RFC 8620 section 5.1).
 */
export function selectProperties(
  reader: ArgumentReader,
  name: string,
  known: readonly string[],
  defaults: readonly string[],
  { withId = true } = {},
): string[] {
  const requested = reader.stringList(name);
  if (requested === null) return [...defaults];
  const knownSet = new Set(known);
  const unknown = requested.filter((property) => !knownSet.has(property));
  if (unknown.length > 0) throw invalidArguments(`unknown ${name}: ${unknown.join(', ')}`);
  return [...new Set(withId ? ['id', ...requested] : requested)];
}

/**
 * The `list` and `notFound` of a `/get`: `ids` null means every record (refused with `requestTooLarge`
 * above `maxObjectsInGet`, as is a longer `ids`); duplicates are answered once; `#creationId`s resolve.
 */
export function fetchRecords<T>(
  reader: ArgumentReader,
  context: MethodContext,
  lookup: (id: string) => T | undefined,
  all: () => T[],
  render: (record: T) => Record<string, unknown>,
): { list: Record<string, unknown>[]; notFound: string[] } {
  const ids = reader.stringList('ids');
  if (ids === null) {
    const records = all();
    if (records.length > CORE_LIMITS.maxObjectsInGet) {
      throw new MethodError('requestTooLarge', `more than ${CORE_LIMITS.maxObjectsInGet} records; ask for ids`);
    }
    return { list: records.map(render), notFound: [] };
  }
  if (ids.length > CORE_LIMITS.maxObjectsInGet) {
    throw new MethodError('requestTooLarge', `at most ${CORE_LIMITS.maxObjectsInGet} ids per call`);
  }
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const requested of new Set(ids)) {
    const id = resolveCreationRef(context, requested);
    const record = id === undefined ? undefined : lookup(id);
    if (record === undefined) notFound.push(requested);
    else list.push(render(record));
  }
  return { list, notFound };
}

/** Keeps only the selected properties of a full record (which must include `id`). */
export function project(full: Record<string, unknown>, properties: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const property of properties) result[property] = full[property];
  return result;
}

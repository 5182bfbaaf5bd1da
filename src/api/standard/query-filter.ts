import { isObject } from '../argument-reader';
import { invalidArguments, MethodError } from '../method-error';

export type Matcher<T> = (record: T) => boolean;

/**
 * Compiles a `/query` filter (RFC 8620 section 5.5): FilterOperators (`AND`, `OR`, `NOT` over
 * `conditions`) around type-specific FilterConditions that `compileCondition` understands. A null filter
 * matches everything.
 */
export function compileFilter<T>(
  filter: unknown,
  compileCondition: (condition: Record<string, unknown>) => Matcher<T>,
): Matcher<T> {
  if (filter === undefined || filter === null) return () => true;
  if (!isObject(filter)) throw invalidArguments('"filter" must be a FilterOperator, a FilterCondition or null');
  if (!('operator' in filter)) return compileCondition(filter);
  const { operator, conditions, ...rest } = filter;
  if (Object.keys(rest).length > 0) throw invalidArguments('a FilterOperator has only "operator" and "conditions"');
  if (!Array.isArray(conditions)) throw invalidArguments('"conditions" of a FilterOperator must be an array');
  const matchers = conditions.map((condition) => compileFilter(condition, compileCondition));
  switch (operator) {
    case 'AND':
      return (record) => matchers.every((matches) => matches(record));
    case 'OR':
      return (record) => matchers.some((matches) => matches(record));
    case 'NOT':
      return (record) => !matchers.some((matches) => matches(record));
    default:
      throw invalidArguments(`unknown filter operator "${String(operator)}"`);
  }
}

/** Refuses FilterCondition properties the type does not support (RFC 8620: `unsupportedFilter`). */
export function assertSupportedCondition(condition: Record<string, unknown>, supported: readonly string[]): void {
  const unsupported = Object.keys(condition).filter((name) => !supported.includes(name));
  if (unsupported.length > 0)
    throw new MethodError('unsupportedFilter', `unsupported filter condition(s): ${unsupported.join(', ')}`);
}

export type Comparator<T> = (a: T, b: T) => number;

/**
 * Compiles a `/query` sort: each Comparator's `property` must be one of `comparators` and its
 * `collation`, if given, one this server has (else `unsupportedSort`). `tieBreak` keeps the order
 * stable between calls when every comparator ties (RFC 8620 section 5.5).
 */
export function compileSort<T>(
  sort: unknown,
  comparators: Readonly<Record<string, Comparator<T>>>,
  collations: readonly string[],
  tieBreak: Comparator<T>,
): Comparator<T> {
  if (sort === undefined || sort === null) return tieBreak;
  if (!Array.isArray(sort)) throw invalidArguments('"sort" must be an array of Comparators or null');
  const compiled = sort.map((entry): Comparator<T> => {
    if (!isObject(entry) || typeof entry.property !== 'string')
      throw invalidArguments('a Comparator needs a "property" string');
    const { property, isAscending = true, collation, ...rest } = entry;
    if (Object.keys(rest).length > 0)
      throw invalidArguments(`unknown Comparator member(s): ${Object.keys(rest).join(', ')}`);
    if (typeof isAscending !== 'boolean') throw invalidArguments('"isAscending" must be a boolean');
    if (collation !== undefined && typeof collation !== 'string')
      throw invalidArguments('"collation" must be a string');
    const compare = Object.prototype.hasOwnProperty.call(comparators, property) ? comparators[property] : undefined;
    if (!compare) throw new MethodError('unsupportedSort', `cannot sort on "${property}"`);
    if (collation !== undefined && !collations.includes(collation)) {
      throw new MethodError('unsupportedSort', `unknown collation "${collation}"`);
    }
    return isAscending ? compare : (a, b) => compare(b, a);
  });
  return (a, b) => {
    for (const compare of compiled) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return tieBreak(a, b);
  };
}

/** Case-insensitive text order (our default collation, i;unicode-casemap-like). */
export function compareText(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' });
}

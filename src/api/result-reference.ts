import { MethodError } from './method-error';

/** A method call's response as later calls may reference it. */
export interface EarlierResponse {
  readonly name: string;
  readonly args: unknown;
  readonly callId: string;
}

/**
 * Replaces every `#name` argument with the value its ResultReference points at (RFC 8620 section 3.7).
 * Throws `invalidArguments` when both `name` and `#name` are given, `invalidResultReference` when a
 * reference is malformed or does not resolve.
 */
export function resolveResultReferences(
  args: Record<string, unknown>,
  earlier: readonly EarlierResponse[],
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith('#')) {
      resolved[key] = value;
      continue;
    }
    const name = key.slice(1);
    if (Object.prototype.hasOwnProperty.call(args, name)) {
      throw new MethodError('invalidArguments', `both "${name}" and "${key}" are given`);
    }
    resolved[name] = resolveOne(value, earlier, key);
  }
  return resolved;
}

function resolveOne(reference: unknown, earlier: readonly EarlierResponse[], key: string): unknown {
  if (!isReference(reference)) {
    throw new MethodError('invalidResultReference', `"${key}" is not a ResultReference {resultOf, name, path}`);
  }
  const source = earlier.find((response) => response.callId === reference.resultOf);
  if (!source)
    throw new MethodError('invalidResultReference', `no earlier response has call id "${reference.resultOf}"`);
  if (source.name !== reference.name) {
    throw new MethodError(
      'invalidResultReference',
      `the response "${reference.resultOf}" is ${source.name}, not ${reference.name}`,
    );
  }
  try {
    return evaluatePointer(source.args, parsePointer(reference.path));
  } catch {
    throw new MethodError('invalidResultReference', `path "${reference.path}" does not resolve in ${reference.name}`);
  }
}

function isReference(value: unknown): value is { resultOf: string; name: string; path: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.resultOf === 'string' && typeof candidate.name === 'string' && typeof candidate.path === 'string'
  );
}

/** RFC 6901 tokens of a pointer (`~1` is `/`, `~0` is `~`). */
export function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error('a pointer starts with /');
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * JSON Pointer with JMAP's `*` (RFC 8620 section 3.7): on an array, `*` applies the rest of the pointer
 * to every item and concatenates the results, flattening those that are arrays.
 */
export function evaluatePointer(value: unknown, tokens: readonly string[]): unknown {
  if (tokens.length === 0) return value;
  const [token, ...rest] = tokens;
  if (Array.isArray(value)) {
    if (token === '*') {
      const results: unknown[] = [];
      for (const item of value) {
        const result = evaluatePointer(item, rest);
        if (Array.isArray(result)) results.push(...(result as unknown[]));
        else results.push(result);
      }
      return results;
    }
    if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= value.length) throw new Error('no such index');
    return evaluatePointer(value[Number(token)], rest);
  }
  if (typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, token)) {
    return evaluatePointer((value as Record<string, unknown>)[token], rest);
  }
  throw new Error('no such member');
}

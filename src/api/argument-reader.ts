import { invalidArguments } from './method-error';

/**
 * Typed access to a method's arguments. Every getter throws `invalidArguments` for a wrong type, and the
 * constructor for any argument the method does not define (RFC 8620 section 3.5, "Security": unknown
 * arguments are invalid).
 */
export class ArgumentReader {
  constructor(
    private readonly args: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    const known = new Set(allowed);
    const unknown = Object.keys(args).filter((name) => !known.has(name));
    if (unknown.length > 0) throw invalidArguments(`unknown argument(s): ${unknown.join(', ')}`);
  }

  has(name: string): boolean {
    return this.args[name] !== undefined;
  }

  raw(name: string): unknown {
    return this.args[name];
  }

  requiredString(name: string): string {
    const value = this.args[name];
    if (typeof value !== 'string') throw invalidArguments(`"${name}" must be a string`);
    return value;
  }

  /** A string or `null`; `null` when absent. */
  optionalString(name: string): string | null {
    const value = this.args[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw invalidArguments(`"${name}" must be a string or null`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.args[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw invalidArguments(`"${name}" must be a boolean`);
    return value;
  }

  /** An Int (RFC 8620 section 1.3), `fallback` when absent or null. */
  int(name: string, fallback: number): number {
    const value = this.args[name];
    if (value === undefined || value === null) return fallback;
    if (!isInt(value)) throw invalidArguments(`"${name}" must be an integer`);
    return value;
  }

  /** An UnsignedInt, or `null` when absent; `positive` also refuses 0 (e.g. `maxChanges`). */
  unsignedInt(name: string, { positive = false } = {}): number | null {
    const value = this.args[name];
    if (value === undefined || value === null) return null;
    if (!isInt(value) || value < 0 || (positive && value === 0)) {
      throw invalidArguments(`"${name}" must be ${positive ? 'a positive' : 'a non-negative'} integer`);
    }
    return value;
  }

  /** A String[] or `null` when absent. */
  stringList(name: string): string[] | null {
    const value = this.args[name];
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw invalidArguments(`"${name}" must be an array of strings or null`);
    }
    return value;
  }

  /** A JSON object or `null` when absent. */
  object(name: string): Record<string, unknown> | null {
    const value = this.args[name];
    if (value === undefined || value === null) return null;
    if (!isObject(value)) throw invalidArguments(`"${name}" must be an object or null`);
    return value;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

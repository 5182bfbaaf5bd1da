/** A configuration mistake: the message says what to fix, and `main.ts` prints it without a stack. */
export class ConfigError extends Error {}

/** What an integer variable may be: its range, and how a message names it. */
export interface IntegerBounds {
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

/** An integer in `[min, max]`, or `fallback` when unset; anything else is a `ConfigError` naming the variable. */
export function parseInteger<Fallback extends number | undefined>(
  name: string,
  raw: string | undefined,
  fallback: Fallback,
  bounds: IntegerBounds,
): number | Fallback {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigError(`${name} must be ${bounds.what}, got "${raw}"`);
  }
  return value;
}

import { JmapPushConfigError } from '../errors/jmap-push-config.error';

/**
 * An option that counts something (streams, entries, seconds, milliseconds), or its default when it is
 * not given. Plain JavaScript hosts get no compile-time check, so the value is checked, not trusted.
 */
export function positiveIntegerOption(
  owner: string,
  name: string,
  value: number | null | undefined,
  fallback: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) {
    throw new JmapPushConfigError(`${owner}: ${name} must be a positive integer, got ${String(chosen)}`);
  }
  return chosen;
}

/** setTimeout's longest delay; a later deadline is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` at `at` (epoch milliseconds), without keeping the process alive; returns the cancel.
 * setTimeout alone would fire at once for a deadline more than about 24.8 days away.
 */
export function atDeadline(at: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const delay = at - Date.now();
    if (delay <= 0) {
      fire();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => {
    clearTimeout(timer);
  };
}

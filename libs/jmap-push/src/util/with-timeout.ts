import type { MaybePromise } from './maybe-promise';

/**
 * Settles as `work()` does, or rejects with `timeoutError()` if `timeoutMs` pass first. A throw of `work`
 * becomes a rejection, and the timer is always cleared, so a prompt answer leaves nothing armed. The work
 * itself is not cancelled: only the wait for it ends.
 */
export async function withTimeout<T>(
  work: () => MaybePromise<T>,
  timeoutMs: number,
  timeoutError: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(timeoutError());
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

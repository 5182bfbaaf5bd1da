import type { WebPushSettings } from './web-push-settings';

// 2^52 already overflows any delay into the cap; beyond, Math.pow would reach Infinity.
const MAX_DOUBLINGS = 52;

/**
 * How long to wait before sending a failed push again, in milliseconds: exponential backoff with full
 * jitter above a floor. Attempt `n` (failures before this one, 0 after the first) waits a uniformly random
 * time between `minRetryDelayMs` and `minRetryDelayMs * 2^(n+1)`, so pushes that failed together (a push
 * service outage) spread out instead of returning at once. A `Retry-After` is a floor: the push service
 * said when it will take pushes again, and RFC 8620 section 7.2 makes a 429 a MUST to push less often.
 * Everything is capped at `maxRetryDelayMs`, a `Retry-After` beyond it too.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  settings: Pick<WebPushSettings, 'minRetryDelayMs' | 'maxRetryDelayMs'>,
  random: () => number = Math.random,
): number {
  const { minRetryDelayMs: min, maxRetryDelayMs: max } = settings;
  const doublings = Number.isSafeInteger(attempt) && attempt > 0 ? Math.min(attempt, MAX_DOUBLINGS) : 0;
  const ceiling = Math.min(max, min * 2 ** (doublings + 1));
  const jittered = min + Math.floor(clamp01(random()) * (ceiling - min));
  const floor = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? retryAfterMs : 0;
  return Math.min(max, Math.max(jittered, floor));
}

function clamp01(value: number): number {
  if (!(value > 0)) return 0;
  return value >= 1 ? 1 : value;
}

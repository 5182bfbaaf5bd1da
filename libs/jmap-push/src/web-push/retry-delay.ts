// TEMPORARY STUB (wt-delivery): replaced by wt-sender's retryDelay when it lands.
import type { WebPushSettings } from './web-push-settings';

export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  settings: Pick<WebPushSettings, 'minRetryDelayMs' | 'maxRetryDelayMs'>,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(settings.maxRetryDelayMs, settings.minRetryDelayMs * 2 ** Math.min(attempt, 30));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.min(settings.maxRetryDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

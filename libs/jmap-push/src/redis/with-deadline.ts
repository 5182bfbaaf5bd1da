import { withTimeout } from '../util/with-timeout';
import type { RedisConnection } from './redis-connection.interface';

/**
 * Runs `work` once the connection is ready, and rejects if readiness and the work together take longer
 * than `timeoutMs`. Commands are therefore never parked in a client's offline queue while Redis is away,
 * where they could wait for minutes: a caller learns at once (or after `timeoutMs`) that nothing was done.
 *
 * A command that already went out when the deadline passes may still be carried out by Redis later: a
 * rejection means "not confirmed", which is as much as any network client can promise.
 */
export async function withDeadline<T>(
  connection: RedisConnection,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  await connection.waitReady(timeoutMs);
  const remaining = Math.max(1, timeoutMs - (Date.now() - started));
  return withTimeout(work, remaining, () => new Error(`Redis did not answer within ${timeoutMs} ms`));
}

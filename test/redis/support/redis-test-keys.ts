import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The shared Redis of the test run (`.ci/run` starts it when it is not answering). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test (or run) uses, so tests can share one Redis. */
export function uniqueKeyPrefix(): string {
  return `jmap-push-test:${randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

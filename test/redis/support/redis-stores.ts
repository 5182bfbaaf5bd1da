import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { PublishedChange } from '../../../libs/jmap-push/src/bus/push-bus.interface';
import {
  RedisPushBus,
  RedisPushSubscriptionStore,
  type RedisClient,
  type RedisPushSubscriptionStoreOptions,
} from '../../../libs/jmap-push/src/redis';
import type { StoredPushSubscription } from '../../../libs/jmap-push/src/web-push/push-subscription';
import { usePrefixedRedis, withExtras, type PrefixedRedis } from './shared-redis';

/** A `describe` block's Redis for store tests: stores (nodes) and buses under a fresh prefix per test. */
export interface RedisStores extends PrefixedRedis {
  /** A store (a node) under this test's prefix, closed after the test. */
  readonly store: (
    client: RedisClient,
    options?: Partial<RedisPushSubscriptionStoreOptions>,
  ) => RedisPushSubscriptionStore;
  /** A bus under this test's prefix, closed after the test. */
  readonly bus: (client: RedisClient) => RedisPushBus;
}

/** Sets a `describe` block up for store tests on the shared Redis (see `usePrefixedRedis`). */
export function useRedisStores(): RedisStores {
  const base = usePrefixedRedis();
  return withExtras(base, {
    store: (client: RedisClient, options: Partial<RedisPushSubscriptionStoreOptions> = {}) =>
      base.closeAfterTest(
        new RedisPushSubscriptionStore({ client, keyPrefix: base.keyPrefix, blockMs: 500, ...options }),
      ),
    bus: (client: RedisClient) =>
      base.closeAfterTest(new RedisPushBus({ client, keyPrefix: base.keyPrefix, blockMs: 500 })),
  });
}

/** Polls an asynchronous `check` (a Redis query) until it holds; rejects naming `what` after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
}

/** Records what `consumeChanges` hands one node, and lets a test await a count (on the hand-over itself). */
export class HandedChanges {
  readonly changes: PublishedChange[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  /** The listener to give `consumeChanges`; `hold` (when given) decides how long each change is handled. */
  constructor(private readonly hold?: (change: PublishedChange) => Promise<void>) {}

  readonly listener = async (change: PublishedChange): Promise<void> => {
    this.changes.push(change);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.changes.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    await this.hold?.(change);
  };

  get ids(): string[] {
    return this.changes.map((change) => change.id);
  }

  /** Resolves once `count` changes in total were handed over; rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs = 5_000): Promise<void> {
    if (this.changes.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`expected ${count} hand-overs, got ${this.changes.length} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** Entries of the consumer group not acknowledged yet (XPENDING summary). */
export async function pendingCount(admin: Redis, keyPrefix: string, group = 'web-push'): Promise<number> {
  const [count] = (await admin.call('XPENDING', `${keyPrefix}stream`, group)) as unknown[];
  return Number(count);
}

export const T0 = 1_800_000_000_000;

/** A subscription as `PushSubscription/set` would store it; the URL is data only, never fetched. */
export function storedSubscription(overrides: Partial<StoredPushSubscription> = {}): StoredPushSubscription {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    credentialId: 'cred-alice',
    principal: { id: 'alice', accountIds: ['a1', 'a2'] },
    deviceClientId: 'phone',
    url: `https://push.test/send/${id}`,
    keys: { p256dh: `p256dh-${id}`, auth: `auth-${id}` },
    verificationCode: `code-${id}`,
    verified: false,
    expires: T0 + 86_400_000,
    types: null,
    createdAt: T0,
    vapidPublicKey: 'vapid-public-key',
    ...overrides,
  };
}

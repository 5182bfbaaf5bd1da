import Redis from 'ioredis';
import { RedisPushBus, type RedisPushBusOptions } from '../../../libs/jmap-push/src/redis';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from './redis-test-keys';

/** What every Redis test block gets: clients, a fresh key prefix per test, and clean-up after it. */
export interface PrefixedRedis {
  /** A client of the test file's own, for setup and inspection. */
  readonly admin: Redis;
  /** Two more clients, one per node a test runs (the nodes' own connections are made from them). */
  readonly clientA: Redis;
  readonly clientB: Redis;
  /** This test's key prefix: no other test (or run) uses it. */
  readonly keyPrefix: string;
  /** Closes `closable` after the test, before its keys are deleted; returns it. */
  readonly closeAfterTest: <T extends { close(): Promise<void> }>(closable: T) => T;
}

/** A `describe` block's view of the shared Redis, with buses. */
export interface SharedRedis extends PrefixedRedis {
  /** A bus (a node) on `client` under this test's prefix, closed after the test. */
  readonly node: (client: RedisPushBusOptions['client'], options?: Partial<RedisPushBusOptions>) => RedisPushBus;
}

/**
 * Sets a `describe` block up on the shared Redis: an admin client and two node clients for the block, a
 * fresh key prefix per test (so tests can share one Redis), and after each test what it made closed first,
 * then every key under its prefix deleted (a loop still running could otherwise write a key again).
 */
export function usePrefixedRedis(): PrefixedRedis {
  let clients: { admin: Redis; clientA: Redis; clientB: Redis } | undefined;
  let keyPrefix: string | undefined;
  const closables: Array<{ close(): Promise<void> }> = [];

  beforeAll(() => {
    clients = { admin: new Redis(REDIS_URL), clientA: new Redis(REDIS_URL), clientB: new Redis(REDIS_URL) };
  });
  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    await Promise.all(closables.splice(0).map((closable) => closable.close()));
    if (clients && keyPrefix) await deleteKeys(clients.admin, keyPrefix);
  });
  afterAll(async () => {
    if (clients) await Promise.all(Object.values(clients).map((client) => client.quit()));
  });

  const client = (name: 'admin' | 'clientA' | 'clientB'): Redis => {
    if (!clients) throw new Error('the clients exist from beforeAll on');
    return clients[name];
  };
  return {
    get admin(): Redis {
      return client('admin');
    },
    get clientA(): Redis {
      return client('clientA');
    },
    get clientB(): Redis {
      return client('clientB');
    },
    get keyPrefix(): string {
      if (!keyPrefix) throw new Error('the key prefix exists from beforeEach on');
      return keyPrefix;
    },
    closeAfterTest: (closable) => {
      closables.push(closable);
      return closable;
    },
  };
}

/** `usePrefixedRedis`, plus buses (nodes) under the test's prefix. */
export function useSharedRedis(): SharedRedis {
  const base = usePrefixedRedis();
  return withExtras(base, {
    node: (client: RedisPushBusOptions['client'], options: Partial<RedisPushBusOptions> = {}) =>
      base.closeAfterTest(new RedisPushBus({ client, keyPrefix: base.keyPrefix, blockMs: 1_000, ...options })),
  });
}

/** `base` with `extras` added, its getters kept as getters (a spread would read them at once). */
export function withExtras<B extends object, E extends object>(base: B, extras: E): B & E {
  return Object.defineProperties(base, Object.getOwnPropertyDescriptors(extras)) as B & E;
}

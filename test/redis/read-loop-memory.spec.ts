import Redis from 'ioredis';
import { publishStateChange } from '../../libs/jmap-push/src/redis';
import { ChangeLogConsumer, ensureConsumerGroup } from '../../libs/jmap-push/src/redis/change-log-consumer';
import { ChangeLogHistory } from '../../libs/jmap-push/src/redis/change-log-history';
import { ChangeLogReader } from '../../libs/jmap-push/src/redis/change-log-reader';
import { toRedisConnection } from '../../libs/jmap-push/src/redis/redis-client';
import type {
  OwnedRedisConnection,
  RedisConnection,
  RedisReply,
} from '../../libs/jmap-push/src/redis/redis-connection.interface';
import { RedisKeys } from '../../libs/jmap-push/src/redis/redis-keys';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from './support/redis-test-keys';

jest.setTimeout(30_000);

const ENTRIES = 1_200;
const BATCH = 20;
/**
 * Replies a collection may leave behind: one or two recent ones stay reachable for a while through the
 * engine's and the client's internals (which ones varies). A loop that keeps its replies keeps them all.
 */
const LEFT_OVER = 2;

/**
 * A node's read loops run for the life of the process and read every change of every node. Whatever they
 * keep per reply grows without bound: at 10,000 changes/s a leak of a few hundred bytes per entry is a
 * gigabyte an hour. Each read loop here runs over a real Redis through a connection that keeps a
 * `WeakRef` to every reply it hands over; once the loop has delivered everything, a full GC must collect
 * them (an earlier loop raced every read against one stop promise, which kept every reply alive).
 */
describe('read loops keep no reply once they handled it (real Redis)', () => {
  let admin: Redis;
  let keyPrefix: string;
  let keys: RedisKeys;
  const replies: Array<WeakRef<object>> = [];

  /** `source`, whose duplicated connections remember every array reply weakly. */
  function watchingReplies(source: RedisConnection): RedisConnection {
    return {
      isReady: () => source.isReady(),
      waitReady: (timeoutMs) => source.waitReady(timeoutMs),
      send: (args) => source.send(args),
      transaction: (commands) => source.transaction(commands),
      duplicate: (name, use): OwnedRedisConnection => {
        const owned = source.duplicate(name, use);
        return {
          isReady: () => owned.isReady(),
          waitReady: (timeoutMs) => owned.waitReady(timeoutMs),
          transaction: (commands) => owned.transaction(commands),
          close: () => owned.close(),
          duplicate: (n, u) => owned.duplicate(n, u),
          send: async (args): Promise<RedisReply> => {
            const reply = await owned.send(args);
            if (Array.isArray(reply) && reply.length > 0) replies.push(new WeakRef(reply));
            return reply;
          },
        };
      },
    };
  }

  async function publishAll(): Promise<void> {
    for (let i = 0; i < ENTRIES; i++) {
      await publishStateChange(admin, `a${i % 50}`, { Email: `s${i}`.padEnd(200, 'x') }, { keyPrefix });
    }
  }

  /** Replies still reachable after a full collection (a `WeakRef` is cleared only after its job ends). */
  async function liveReplies(): Promise<number> {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run Jest with node --expose-gc (npm run test:jest does)');
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    return replies.filter((ref) => ref.deref() !== undefined).length;
  }

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
    keys = new RedisKeys(keyPrefix);
    replies.length = 0;
  });
  afterEach(async () => {
    await deleteKeys(admin, keyPrefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  /**
   * Publishes every entry while `loop` reads them, waits until `handled` saw them all, and checks what the
   * loop still holds; `stop` ends the loop in any case.
   */
  async function expectNoRepliesKept(
    start: (handled: () => void) => Promise<void> | void,
    stop: () => Promise<void>,
  ): Promise<void> {
    let count = 0;
    let allHandled!: () => void;
    const done = new Promise<void>((resolve) => (allHandled = resolve));
    await start(() => {
      if (++count === ENTRIES) allHandled();
    });
    try {
      await publishAll();
      await done;
      // Many reads, each of at most BATCH entries: the check is about replies, not one big one.
      expect(replies.length).toBeGreaterThanOrEqual(ENTRIES / BATCH);
      expect(await liveReplies()).toBeLessThanOrEqual(LEFT_OVER);
    } finally {
      await stop();
    }
  }

  it('the bus read loop (XREAD): every reply is collected after delivery', async () => {
    const source = watchingReplies(toRedisConnection(admin, keyPrefix));
    let reader: ChangeLogReader | undefined;
    await expectNoRepliesKept(
      (handled) => {
        const history = new ChangeLogHistory(source, keys, 2_000, () => undefined);
        const options = { blockMs: 1_000, batchSize: BATCH, connectionName: 'jp-memory-reader' };
        reader = new ChangeLogReader(source, keys, history, options, handled);
        return reader.start();
      },
      async () => reader?.stop(),
    );
  });

  it('the Web Push consumer (XREADGROUP): every reply is collected after hand-over', async () => {
    const source = watchingReplies(toRedisConnection(admin, keyPrefix));
    await ensureConsumerGroup(source, keys.changeLog, 'web-push');
    let consumer: ChangeLogConsumer | undefined;
    await expectNoRepliesKept(
      (handled) => {
        const options = {
          group: 'web-push',
          consumer: 'memory-test',
          blockMs: 1_000,
          batchSize: BATCH,
          claimIdleMs: 60_000,
          claimIntervalMs: 60_000,
          deadConsumerMs: 60_000,
          connectionName: 'jp-memory-consumer',
        };
        consumer = new ChangeLogConsumer(source, keys.changeLog, options, () => {
          handled();
          return Promise.resolve();
        });
        consumer.start();
      },
      async () => consumer?.stop(),
    );
  });
});

import type { RedisClient } from './redis-client';

/** Options of `RedisPushBus`. Only `client` is required. */
export interface RedisPushBusOptions {
  /**
   * Your Redis client: ioredis (a `Redis`, or a `Cluster` for Redis Cluster), or a connected node-redis
   * client. The bus sends replay reads through it and duplicates it twice (same server or cluster, same
   * options): once for the blocking read loop, once for writes that must not be re-sent after a
   * reconnection. It closes those two, never yours (close it yourself on shutdown, after the application).
   */
  client: RedisClient;
  /**
   * Prefix of every key the bus uses (`<prefix>stream`, `<prefix>latest:<accountId>`); nodes that should
   * see each other's changes must share it. Default `jmap-push:`. Use this, not ioredis's own `keyPrefix`.
   * On Redis Cluster it must hold a hash tag (`{jmap-push}:`), so that every key lands in one slot; the
   * bus refuses a `Cluster` client without one.
   */
  keyPrefix?: string;
  /** Entries the change log (the Redis stream) keeps for `Last-Event-ID` replay (approximately, `MAXLEN ~`). Default 10,000. */
  maxLen?: number;
  /**
   * Newest changes each node keeps in memory to answer `Last-Event-ID` without reading Redis (every node
   * reads every entry, so ids from any node qualify). Older ids are replayed from the change log. Default 10,000.
   */
  replayWindow?: number;
  /** Milliseconds one blocking XREAD waits before it is sent again. Default 5,000. */
  blockMs?: number;
  /** Entries one XREAD may return. Default 500. */
  readBatchSize?: number;
  /**
   * Milliseconds a publish or a replay read may wait for Redis (reconnecting included) before it
   * rejects. Default 2,000.
   */
  commandTimeoutMs?: number;
  /** Name of the read loop's connection, as `CLIENT LIST` shows it. Default `jmap-push:reader`. */
  readerConnectionName?: string;
  /** Name of the publishing connection, as `CLIENT LIST` shows it. Default `jmap-push:writer`. */
  writerConnectionName?: string;
}

import type { RedisClient } from './redis-client';

/** Options of `RedisPushSubscriptionStore`. Only `client` is required. */
export interface RedisPushSubscriptionStoreOptions {
  /**
   * Your Redis client: ioredis, or a connected node-redis client. The store duplicates it (same server,
   * same options) for its commands and, once `consumeChanges` is called, for the blocking consumer-group
   * reads. It closes those, never yours.
   */
  client: RedisClient;
  /**
   * Prefix of every key; the same as the nodes' `RedisPushBus` (the store reads the bus's change log,
   * `<prefix>stream`). Default `jmap-push:`. On Redis Cluster use a hash tag, e.g. `{jmap-push}:`.
   */
  keyPrefix?: string;
  /** The consumer group on the change log that hands each change to one node. Default `web-push`. */
  consumerGroup?: string;
  /**
   * This node's consumer name in the group; default a random one per store. A fixed name per node (its
   * host name, say) lets a restarted node resume the entries it read and never acknowledged at once,
   * rather than after `claimIdleMs`. Two live nodes must never share one.
   */
  consumerName?: string;
  /**
   * Milliseconds a change read by a node may stay unacknowledged before another node takes it over (the
   * node died, or its handling stalls). Default 30,000.
   */
  claimIdleMs?: number;
  /** Milliseconds between looks for such changes. Default 5,000. */
  claimIntervalMs?: number;
  /**
   * Milliseconds after which a consumer that holds no entries and was not seen is removed from the group
   * (nodes with random names leave one behind at every restart). Default 3,600,000.
   */
  deadConsumerMs?: number;
  /** Entries one read of the change log may return. Default 100. */
  readBatchSize?: number;
  /** Milliseconds one blocking read of the change log waits before it is sent again. Default 5,000. */
  blockMs?: number;
  /** Milliseconds a store command may wait for Redis (reconnecting included) before it rejects. Default 2,000. */
  commandTimeoutMs?: number;
  /** Name of the connection of the store's commands, as `CLIENT LIST` shows it. Default `jmap-push:web-push`. */
  connectionName?: string;
  /** Name of the consumer-group read connection. Default `jmap-push:web-push-reader`. */
  readerConnectionName?: string;
}

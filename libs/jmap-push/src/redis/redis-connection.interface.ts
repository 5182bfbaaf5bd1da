/** A reply as Redis's RESP2 protocol gives it: bulk strings, integers, nil and arrays of those. */
export type RedisReply = string | number | null | RedisReply[];

/**
 * The few things the bus needs from a Redis client, whichever library it comes from (ioredis, node-redis).
 * Commands are raw argument lists, so both libraries send byte-identical commands and give raw replies.
 */
export interface RedisConnection {
  /** True when commands sent now go straight to Redis (not to an offline queue). */
  isReady(): boolean;

  /**
   * Resolves once the connection is ready; rejects after `timeoutMs`, or at once when the client was closed
   * for good. Lets writes refuse to wait in a client's offline queue while Redis is away.
   */
  waitReady(timeoutMs: number): Promise<void>;

  /** Sends one command as the client would (its own queueing and reconnection apply). */
  send(args: readonly string[]): Promise<RedisReply>;

  /** Sends the commands in one MULTI/EXEC; one entry per command, an `Error` where that command failed. */
  transaction(commands: ReadonlyArray<readonly string[]>): Promise<Array<RedisReply | Error>>;

  /**
   * A new connection to the same server with the same options, owned by the caller (who must `close()`
   * it), tuned for one use:
   * - `blocking-reads`: no command timeout, and commands wait for a reconnection (the read loop re-sends
   *   from its own offset anyway); a blocking XREAD would stall every other command on a shared connection.
   * - `writes`: no offline queue and no re-sending after a reconnection, so a write that was reported as
   *   failed cannot be carried out later, after newer writes from other nodes.
   */
  duplicate(connectionName: string, use: ConnectionUse): OwnedRedisConnection;
}

/** What a duplicated connection is for. */
export type ConnectionUse = 'blocking-reads' | 'writes';

/** A connection the bus created itself, and therefore closes. */
export interface OwnedRedisConnection extends RedisConnection {
  /** Closes at once, failing a pending (blocking) command rather than waiting for it. */
  close(): Promise<void>;
}

import type { Redis, RedisOptions } from 'ioredis';
import type { ConnectionUse, OwnedRedisConnection, RedisReply } from './redis-connection.interface';
import { waitForEvent } from './wait-for-event';

/** True for an ioredis client (ioredis has `status` and `call`; node-redis has neither). */
export function isIoRedis(client: unknown): client is Redis {
  const candidate = client as Partial<Redis> | null;
  return typeof candidate?.call === 'function' && typeof candidate.status === 'string';
}

/**
 * A `RedisConnection` over an ioredis client. Commands are sent with `call()` and upper-case names, which
 * keeps ioredis's reply transformers (e.g. HGETALL to an object) out of the way: replies stay raw.
 */
export class IoRedisConnection implements OwnedRedisConnection {
  private closing = false;

  constructor(private readonly client: Redis) {}

  isReady(): boolean {
    return this.client.status === 'ready';
  }

  waitReady(timeoutMs: number): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    // 'end': ioredis gave up reconnecting (or `quit()` was called); it will never be ready again.
    if (this.client.status === 'end') return Promise.reject(new Error('Redis connection is closed'));
    return waitForEvent(this.client, 'ready', 'end', timeoutMs);
  }

  send(args: readonly string[]): Promise<RedisReply> {
    const [command, ...rest] = this.withClientPrefix(args);
    return this.client.call(command, ...rest) as Promise<RedisReply>;
  }

  async transaction(commands: ReadonlyArray<readonly string[]>): Promise<Array<RedisReply | Error>> {
    const multi = this.client.multi();
    for (const args of commands) {
      const [command, ...rest] = this.withClientPrefix(args);
      multi.call(command, ...rest);
    }
    const results = await multi.exec();
    // `null` only follows a failed WATCH, which the bus never uses; treat it as a failure all the same.
    if (!results) throw new Error('Redis transaction was aborted');
    return results.map(([error, reply]) => error ?? (reply as RedisReply));
  }

  duplicate(connectionName: string, use: ConnectionUse): OwnedRedisConnection {
    const overrides: Partial<RedisOptions> =
      use === 'blocking-reads'
        ? {
            connectionName,
            // XREAD BLOCK waits `blockMs` by design, and an unfulfilled XREAD is best re-sent as it was
            // (same offset) after a reconnection: no timeout, no giving up, queue while away.
            commandTimeout: undefined,
            maxRetriesPerRequest: null,
            enableOfflineQueue: true,
            autoResendUnfulfilledCommands: true,
          }
        : {
            connectionName,
            // Fail rather than wait or repeat: `withDeadline` bounds the wait, and a write in flight when
            // the connection drops must not be re-sent behind the caller's back after it was rejected.
            enableOfflineQueue: false,
            autoResendUnfulfilledCommands: false,
            maxRetriesPerRequest: 0,
          };
    const copy = this.client.duplicate({ ...overrides, lazyConnect: false, enableAutoPipelining: false });
    // Without a listener ioredis prints every connection error; failures reach callers as rejections.
    copy.on('error', () => undefined);
    return new IoRedisConnection(copy);
  }

  /**
   * ioredis adds its own `keyPrefix` option to the keys of most commands, but not to `XINFO STREAM <key>`
   * (it does not know where that key sits); add it there, so every command names the same key.
   */
  private withClientPrefix(args: readonly string[]): readonly string[] {
    const prefix = this.client.options.keyPrefix;
    if (!prefix || args[0] !== 'XINFO' || args.length < 3) return args;
    return [args[0], args[1], prefix + args[2], ...args.slice(3)];
  }

  close(): Promise<void> {
    // `disconnect()`, not `quit()`: QUIT would queue behind a pending XREAD BLOCK for up to `blockMs`.
    // Only once: a second call on a closed socket arms a timer that keeps the process alive for 2 s.
    if (this.closing || this.client.status === 'end') return Promise.resolve();
    this.closing = true;
    this.client.disconnect();
    return Promise.resolve();
  }
}

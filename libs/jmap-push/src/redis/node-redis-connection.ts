import type { ConnectionUse, OwnedRedisConnection, RedisReply } from './redis-connection.interface';
import { waitForEvent } from './wait-for-event';

/**
 * The parts of a node-redis (`redis` package, v4 or v5) client the bus uses, typed structurally so that
 * `jmap-push/redis` does not need node-redis's types to compile.
 */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  multi(): NodeRedisMultiLike;
  duplicate(overrides?: Record<string, unknown>): NodeRedisClientLike;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  /** v5: closes at once. */
  destroy?(): void;
  /** v4: closes at once (deprecated in v5). */
  disconnect?(): Promise<void>;
}

/** A node-redis MULTI under construction. */
export interface NodeRedisMultiLike {
  addCommand(args: string[]): NodeRedisMultiLike;
  exec(): Promise<unknown[]>;
}

/** True for a node-redis client. */
export function isNodeRedis(client: unknown): client is NodeRedisClientLike {
  const candidate = client as Partial<NodeRedisClientLike> | null;
  return typeof candidate?.sendCommand === 'function' && typeof candidate.isReady === 'boolean';
}

/** A `RedisConnection` over a node-redis client, with raw `sendCommand` replies (RESP2, the default). */
export class NodeRedisConnection implements OwnedRedisConnection {
  constructor(private readonly client: NodeRedisClientLike) {}

  isReady(): boolean {
    return this.client.isReady;
  }

  waitReady(timeoutMs: number): Promise<void> {
    if (this.client.isReady) return Promise.resolve();
    // Not open: never connected, or closed by its owner; either way no 'ready' will come by itself.
    if (!this.client.isOpen) return Promise.reject(new Error('Redis connection is closed'));
    return waitForEvent(this.client, 'ready', 'end', timeoutMs);
  }

  send(args: readonly string[]): Promise<RedisReply> {
    return this.client.sendCommand([...args]) as Promise<RedisReply>;
  }

  async transaction(commands: ReadonlyArray<readonly string[]>): Promise<Array<RedisReply | Error>> {
    const multi = this.client.multi();
    for (const command of commands) multi.addCommand([...command]);
    try {
      return (await multi.exec()) as RedisReply[];
    } catch (error) {
      // node-redis fails the whole EXEC when one command failed, and keeps every reply on the error.
      const { replies, errorIndexes } = error as { replies?: unknown[]; errorIndexes?: number[] };
      if (!Array.isArray(replies) || !Array.isArray(errorIndexes)) throw error;
      return replies.map((reply, index) =>
        errorIndexes.includes(index)
          ? new Error(String((reply as { message?: unknown } | null | undefined)?.message ?? reply))
          : (reply as RedisReply),
      );
    }
  }

  duplicate(connectionName: string, use: ConnectionUse): OwnedRedisConnection {
    // Writes: no offline queue (node-redis fails in-flight commands on a disconnect and does not re-send).
    const copy = this.client.duplicate({ name: connectionName, disableOfflineQueue: use === 'writes' });
    // node-redis throws an 'error' event nobody listens to; failures reach callers as rejections.
    copy.on('error', () => undefined);
    // Not awaited: `connect()` keeps retrying while Redis is away; `waitReady` is the bounded wait.
    copy.connect().catch(() => undefined);
    return new NodeRedisConnection(copy);
  }

  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    if (this.client.destroy) this.client.destroy();
    else await this.client.disconnect?.();
  }
}

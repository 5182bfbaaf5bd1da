import { createHash } from 'node:crypto';
import { describeError } from '../util/describe-error';
import type { RedisConnection, RedisReply } from './redis-connection.interface';

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server does not know it yet (a restart, a
 * failover, SCRIPT FLUSH): after the first call each run sends the 40-character digest, not the source.
 * Every key the script touches is passed in KEYS, so Redis Cluster can check they share one slot.
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(connection: RedisConnection, keys: readonly string[], args: readonly string[]): Promise<RedisReply> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await connection.send(['EVALSHA', this.sha, ...tail]);
    } catch (error) {
      // NOSCRIPT: the script did not run at all, so sending it whole cannot run it twice.
      if (!/NOSCRIPT/.test(describeError(error))) throw error;
      return connection.send(['EVAL', this.source, ...tail]);
    }
  }
}

import type { Redis } from 'ioredis';

/** One connection as `CLIENT LIST` shows it. */
export interface RedisConnectionInfo {
  readonly id: string;
  /** Its `CLIENT SETNAME`; empty when unnamed. */
  readonly name: string;
  /** The command it runs or ran last, lower-case (`xread` while a reader blocks). */
  readonly cmd: string;
}

/** Every connection Redis holds now. */
export async function redisConnections(admin: Redis): Promise<RedisConnectionInfo[]> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({
      id: /(?:^|\s)id=(\d+)/.exec(line)?.[1] ?? '',
      name: /(?:^|\s)name=(\S*)/.exec(line)?.[1] ?? '',
      cmd: /(?:^|\s)cmd=(\S*)/.exec(line)?.[1] ?? '',
    }));
}

/** The connections named `name`. */
export async function connectionsNamed(admin: Redis, name: string): Promise<RedisConnectionInfo[]> {
  return (await redisConnections(admin)).filter((connection) => connection.name === name);
}

/** `XRANGE` calls Redis has served so far (from `INFO commandstats`). */
export async function xrangeCalls(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(/cmdstat_xrange:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';

/**
 * The server's own Redis client when `REDIS_URL` is set. The push bus borrows it and never closes it
 * (it is not the bus's to close), so the server quits it on shutdown, after the bus has stopped.
 */
@Injectable()
export class ServerRedis implements OnApplicationShutdown {
  readonly client: Redis | undefined;

  constructor(@Inject(SERVER_CONFIG) config: ServerConfig) {
    this.client = config.redisUrl ? new Redis(config.redisUrl, { connectionName: 'jmap-server' }) : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => this.client?.disconnect());
  }
}

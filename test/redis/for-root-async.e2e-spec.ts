import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { JmapPushModule, StateChangeService } from 'jmap-push';
import { RedisPushBus } from 'jmap-push/redis';
import type { AddressInfo } from 'node:net';
import { DEFAULT_USERS, tableAuthenticator } from '../support/push-app';
import { basicAuth, openEventStream } from '../support/sse-client';
import { deleteKeys, REDIS_URL, uniqueKeyPrefix } from './support/redis-test-keys';

const REDIS = Symbol('REDIS');

describe('JmapPushModule.forRootAsync with a RedisPushBus (the README setup)', () => {
  it('builds the bus from an injected client, serves streams, and leaves the client open on shutdown', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const redis = new Redis(REDIS_URL);

    @Module({ providers: [{ provide: REDIS, useValue: redis }], exports: [REDIS] })
    class RedisClientModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        JmapPushModule.forRootAsync({
          imports: [RedisClientModule],
          inject: [REDIS],
          useFactory: async (client: Redis) => {
            const bus = new RedisPushBus({ client, keyPrefix });
            // Streams then start at the stream's head, never at 0-0.
            await bus.ready();
            return { authenticator: tableAuthenticator(DEFAULT_USERS), bus };
          },
        }),
      ],
    }).compile();
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options bag as a class, but takes (and documents) plain objects
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const stream = await openEventStream(
        `http://127.0.0.1:${port}/jmap/eventsource?types=*&closeafter=state&ping=0`,
        {
          Authorization: basicAuth('bob@example.com', 'bob-secret'),
        },
      );
      const first = await stream.next();
      expect(first.id).toMatch(/^\d+-\d+$/);
      const id = await app.get(StateChangeService).publish('acc-bob', { Email: 'e1' });
      const state = await stream.nextEvent('state');
      expect(state.id).toBe(id);
      await stream.ended;
    } finally {
      await app.close();
      expect(redis.status).toBe('ready');
      await deleteKeys(redis, keyPrefix);
      await redis.quit();
    }
  });
});

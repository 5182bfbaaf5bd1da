// jmap-push itself: `node module.mjs <sse|direct> [redis] [--check]`, from the built library (npm run build:lib).
// `redis`: the Redis Streams bus (jmap-push/redis) on 127.0.0.1:6379 under a key prefix of its own,
// deleted when the server exits.
// Basic auth with a trivial in-memory authenticator: user `a1+a2` reads accounts a1 and a2.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { startControl } from '../lib/control.mjs';
import { dieWithParent, accountsOfUser } from '../lib/common.mjs';

const require = createRequire(import.meta.url);
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { JmapPushModule, StateChangeService, PushMetrics } = require('jmap-push');

const transport = process.argv[2] ?? 'sse';
const useRedis = process.argv[3] === 'redis';
const check = process.argv.includes('--check');
let bus;
let redis;
const keyPrefix = `jmap-push-bench:${process.pid}:`;
if (useRedis) {
  const Redis = require('ioredis');
  const { RedisPushBus } = require('jmap-push/redis');
  redis = new Redis({ host: '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT ?? 6379), maxRetriesPerRequest: 2 });
  bus = new RedisPushBus({ client: redis, keyPrefix });
}
async function cleanup() {
  if (!redis) return;
  // the bus's keys (<prefix>stream, <prefix>latest:<account>), on a fresh connection: the bus's own may
  // have thousands of replay reads queued. The exit allows 5 s in all.
  const c = redis.duplicate();
  for (let cursor = '0', rounds = 0; rounds < 1000; rounds++) {
    const [next, keys] = await c.scan(cursor, 'MATCH', keyPrefix + '*', 'COUNT', 5000);
    if (keys.length) await c.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  c.disconnect();
  redis.disconnect();
}
let app;
if (!check) dieWithParent(30 * 60_000, cleanup);

const authenticator = {
  authenticateBasic: (username) => ({ id: username, accountIds: accountsOfUser(username) }),
};

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        JmapPushModule.forRoot({
          authenticator,
          maxStreams: 20_000,
          maxStreamsPerPrincipal: 20_000,
          ping: { min: 5, max: 300 },
          transport,
          path: 'jmap/eventsource',
          ...(bus ? { bus } : {}),
        }),
      ],
    }),
  ],
  AppModule,
);

app = await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const server = app.getHttpServer();
const changes = app.get(StateChangeService);
let metrics;
try {
  metrics = app.get(PushMetrics);
} catch {}
if (check) {
  await changes.publish('a0', { Email: 's1' });
  await cleanup();
  await app.close();
  process.exit(0);
}
const publish = (accountId, changed) => changes.publish(accountId, changed);
const info = {
  get streams() {
    return metrics?.openStreams;
  },
  get merges() {
    return metrics?.merges;
  },
};
const ctl = await startControl({ publish, httpServer: server, info });
process.stdout.write('READY ' + JSON.stringify({ http: server.address().port, ctl }) + '\n');

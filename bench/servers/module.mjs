// jmap-push itself: `node module.mjs <sse|direct> [redis] [ws] [--check]`, from the built library (npm run build:lib).
// `redis`: the Redis Streams bus (jmap-push/redis) on 127.0.0.1:6379 under a key prefix of its own,
// deleted when the server exits.
// `ws`: the JMAP WebSocket endpoint too (the `webSocket` option, at /jmap/ws), with a trivial request
// handler and its liveness pings far apart (the generator's paused sockets cannot answer them).
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
const withWebSocket = process.argv.includes('ws');
let bus;
let redis;
// BENCH_REDIS_PREFIX: nodes of one bus share it (bench/bus/); by default each server has its own
const keyPrefix = process.env.BENCH_REDIS_PREFIX ?? `jmap-push-bench:${process.pid}:`;
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

const requestHandler = {
  handle: (request) => ({ methodResponses: request.methodCalls, sessionState: 's0' }),
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
          ...(withWebSocket ? { webSocket: { requestHandler, pingIntervalSeconds: 3600 } } : {}),
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
  // the newest change-log entry this node's read loop delivered (bench/bus/: has it read every entry yet?)
  get busId() {
    return bus?.currentId();
  },
};
// getters, not their values now
if (withWebSocket) Object.defineProperties(info, Object.getOwnPropertyDescriptors(webSocketInfo()));
/**
 * Sockets whose push is on (after `WebSocketPushEnable`), for the generator to know its sockets are
 * listening before it publishes: RFC 8887 answers a push enable with nothing. Read from the module's
 * registry (internal: the built file by path), one pass over the subscriptions per `stats`.
 */
function webSocketInfo() {
  const { dirname, join } = require('node:path');
  const { SubscriptionRegistry } = require(join(dirname(require.resolve('jmap-push')), 'subscription/subscription-registry.js'));
  const registry = app.get(SubscriptionRegistry);
  return {
    get pushEnabled() {
      let n = 0;
      for (const s of registry.index.all) if (s.filterKey === '*' && !s.isEnded) n++;
      return n;
    },
    get webSockets() {
      return metrics?.webSockets;
    },
  };
}
const ctl = await startControl({ publish, httpServer: server, info });
process.stdout.write('READY ' + JSON.stringify({ http: server.address().port, ctl }) + '\n');

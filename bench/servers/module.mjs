// jmap-push itself: `node module.mjs <sse|direct> [--check]`, from the built library (npm run build:lib).
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
const check = process.argv.includes('--check');
if (!check) dieWithParent();

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
        }),
      ],
    }),
  ],
  AppModule,
);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const server = app.getHttpServer();
const changes = app.get(StateChangeService);
let metrics;
try {
  metrics = app.get(PushMetrics);
} catch {}
if (check) {
  await changes.publish('a0', { Email: 's1' });
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

// The installed package as its users see it: both entry points loaded (CommonJS and ESM), a TypeScript consumer
// and the README's marked examples type-checked against the shipped .d.ts files.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readmeExamples, toReadmePositions } from '../readme-examples.mjs';
import { begin, CheckError, fail, libDir, log, repoRoot, run } from './harness.mjs';

export async function loadEntryPoints(appDir) {
  begin('load jmap-push, jmap-push/redis and jmap-push/testing (CommonJS and ESM)');
  writeFileSync(
    join(appDir, 'entry-points.cjs'),
    `'use strict';
require('reflect-metadata');
const assert = require('node:assert');
const path = require('node:path');
for (const id of ['jmap-push', 'jmap-push/redis', 'jmap-push/testing']) {
  const resolved = require.resolve(id);
  assert.ok(resolved.startsWith(path.join(__dirname, 'node_modules', 'jmap-push') + path.sep), id + ' resolved outside the app: ' + resolved);
}
const core = require('jmap-push');
for (const name of ['JmapPushModule', 'StateChangeService', 'JmapPushSession', 'PushMetrics', 'InMemoryPushBus', 'ClampingPingPolicy', 'constantTimeEquals', 'PushSubscriptionMethods', 'InMemoryPushSubscriptionStore', 'pushSubscriptionCaller']) {
  assert.strictEqual(typeof core[name], 'function', 'jmap-push exports no function ' + name);
}
const redis = require('jmap-push/redis');
assert.strictEqual(typeof redis.RedisPushBus, 'function', 'jmap-push/redis exports no RedisPushBus');
assert.strictEqual(typeof redis.publishStateChange, 'function', 'jmap-push/redis exports no publishStateChange');
assert.strictEqual(typeof redis.DEFAULT_KEY_PREFIX, 'string', 'jmap-push/redis exports no DEFAULT_KEY_PREFIX');
assert.strictEqual(typeof redis.RedisPushSubscriptionStore, 'function', 'jmap-push/redis exports no RedisPushSubscriptionStore');
const testing = require('jmap-push/testing');
for (const name of ['FakePushService', 'decryptAes128gcm', 'verifyVapid']) {
  assert.strictEqual(typeof testing[name], 'function', 'jmap-push/testing exports no function ' + name);
}
assert.ok(!Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/](ioredis|redis|@redis)[\\\\/]/.test(file)), 'loading jmap-push loaded a Redis client');
assert.strictEqual(require('jmap-push/package.json').version, ${JSON.stringify(JSON.parse(readFileSync(join(libDir, 'package.json'), 'utf8')).version)});
`,
  );
  writeFileSync(
    join(appDir, 'entry-points.mjs'),
    `import 'reflect-metadata';
import assert from 'node:assert';
import { JmapPushModule, StateChangeService } from 'jmap-push';
import { RedisPushBus, publishStateChange } from 'jmap-push/redis';
import { FakePushService } from 'jmap-push/testing';
for (const [name, value] of Object.entries({ JmapPushModule, StateChangeService, RedisPushBus, publishStateChange, FakePushService })) {
  assert.strictEqual(typeof value, 'function', 'named ESM import ' + name + ' is not a function');
}
`,
  );
  await run(process.execPath, ['entry-points.cjs'], { cwd: appDir });
  await run(process.execPath, ['entry-points.mjs'], { cwd: appDir });
}

/** Where the CommonJS build of the consumer and the README's examples goes, inside the app. */
export const BUILD_DIR = 'build';

/** Resolves with the README's examples, built into `BUILD_DIR`. */
export async function typeCheckConsumer(appDir) {
  begin("type-check a TypeScript consumer and the README's examples against the shipped .d.ts files");
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/lib/tsc.js');
  } catch {
    fail('typescript is not installed in the repository (run npm ci first)');
  }
  const examples = readmeExamples(join(repoRoot, 'README.md'));
  for (const example of examples) writeFileSync(join(appDir, example.file), example.code);
  log(`README examples: ${examples.map((example) => `${example.name} (line ${example.line})`).join(', ')}`);
  writeFileSync(
    join(appDir, 'consumer.ts'),
    `import { Module } from '@nestjs/common';
import {
  JmapPushModule,
  StateChangeService,
  JmapPushSession,
  PushMetrics,
  constantTimeEquals,
  type Authenticator,
  type JmapPushModuleOptions,
  type Principal,
  type StateChange,
} from 'jmap-push';
import { RedisPushBus, RedisPushSubscriptionStore, publishStateChange, type RedisPushBusOptions } from 'jmap-push/redis';
import { FakePushService, type RecordedPush } from 'jmap-push/testing';

const authenticator: Authenticator = {
  authenticateBasic(name: string, password: string): Principal | null {
    return constantTimeEquals(password, 'secret') ? { id: name, accountIds: ['a1'] } : null;
  },
};
const options: JmapPushModuleOptions = { authenticator, ping: { min: 5, max: 300 } };

@Module({ imports: [JmapPushModule.forRoot({ ...options, path: 'jmap/eventsource', transport: 'direct' })] })
export class AppModule {}

export async function publish(service: StateChangeService, session: JmapPushSession, metrics: PushMetrics): Promise<string> {
  const url: string = session.eventSourceUrl('https://jmap.example.com');
  const open: number = metrics.snapshot().openStreams;
  const change: StateChange = { '@type': 'StateChange', changed: { a1: { Email: 's1' } } };
  return \`\${url} \${open} \${JSON.stringify(change)} \${await service.publish('a1', { Email: 's1' })}\`;
}

export const redisPieces: [typeof RedisPushBus, typeof publishStateChange, RedisPushBusOptions['keyPrefix'], typeof RedisPushSubscriptionStore] = [RedisPushBus, publishStateChange, 'jmap-push:', RedisPushSubscriptionStore];

export async function firstPush(service: FakePushService): Promise<RecordedPush> {
  return service.nextPush(service.subscription('device').endpoint && 'device');
}
`,
  );
  const common = [
    tsc,
    '--strict',
    '--skipLibCheck',
    '--experimentalDecorators',
    '--emitDecoratorMetadata',
    '--target',
    'ES2022',
    '--typeRoots',
    join(repoRoot, 'node_modules', '@types'),
    '--types',
    'node',
    '--pretty',
    'false',
    'consumer.ts',
    ...examples.map((example) => example.file),
  ];
  // The CommonJS build is kept: the README's examples are started from it (readme-boot.mjs).
  for (const resolution of [
    ['--module', 'commonjs', '--moduleResolution', 'node10', '--outDir', BUILD_DIR],
    ['--module', 'node16', '--moduleResolution', 'node16', '--noEmit'],
  ]) {
    try {
      await run(process.execPath, [...common, ...resolution], { cwd: appDir });
    } catch (error) {
      if (error instanceof CheckError) error.output = toReadmePositions(error.output ?? '', examples);
      throw error;
    }
  }
  return examples;
}

#!/usr/bin/env node
// Release check: proves the published artifact works, not just the workspace.
//
//   0. `npm install` on a clean clone must leave package-lock.json as committed (scripts/lockfile-check.mjs).
//   1. `npm pack` the library (its prepack does a clean `tsc` build) and inspect the tarball's file list.
//   2. Create a throwaway Nest app in a temporary folder, depending on the tarball and on the Nest, rxjs,
//      reflect-metadata and class-* versions this repository's lockfile pins; `npm install` it.
//   3. Load both entry points from there (CommonJS and ESM), and type-check a TypeScript consumer against the
//      shipped `.d.ts` files under `node10` and `node16` module resolution, together with the README's
//      examples marked `<!-- compile: NAME -->` (scripts/readme-examples.mjs).
//   4. Start a plain-JS app (`JmapPushModule.forRoot`) on a free loopback port in a child process, open the
//      event source over raw HTTP with Basic auth, publish through `StateChangeService`, and expect the
//      `event: state` frame with the right StateChange; then `app.close()` must end the stream.
//
// Usage: node scripts/release-check.mjs [--verbose]   (or RELEASE_CHECK_VERBOSE=1)
// Needs the repository's own dev dependencies (`npm ci`) for `tsc`, and the npm registry for the app.
// Everything is killed after 120 s (RELEASE_CHECK_TIMEOUT_S overrides); temporary folders are always removed
// (RELEASE_CHECK_KEEP=1 keeps them for a look).
import { spawn, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { lockfileDrift } from './lockfile-check.mjs';
import { cleanNpmEnv, npm } from './npm-env.mjs';
import { readmeExamples, toReadmePositions } from './readme-examples.mjs';

const DEADLINE_MS = Number(process.env.RELEASE_CHECK_TIMEOUT_S ?? 120) * 1000;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const libDir = join(repoRoot, 'libs', 'jmap-push');
const verbose = process.argv.includes('--verbose') || process.env.RELEASE_CHECK_VERBOSE === '1';
const keepTemp = process.env.RELEASE_CHECK_KEEP === '1';
const startedAt = Date.now();

const children = new Set();
const tempDirs = [];
let step = 'start';
let finished = false;

class CheckError extends Error {
  constructor(message, output) {
    super(message);
    this.output = output;
  }
}

function log(message) {
  if (verbose) console.error(`release-check: [${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${message}`);
}

function begin(name) {
  step = name;
  log(name);
}

function fail(message, output) {
  throw new CheckError(message, output);
}

function check(condition, message) {
  if (!condition) fail(message);
}

function killAll() {
  for (const child of children) {
    try {
      // Children run in their own process group (detached), so npm's own children go too.
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
}

function cleanUp() {
  killAll();
  for (const dir of tempDirs) {
    if (keepTemp) console.error(`release-check: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function finish(code, message, output) {
  if (finished) return;
  finished = true;
  cleanUp();
  if (code === 0) {
    console.log('release-check: 1 passed, 0 failed');
  } else {
    if (output) console.error(output.trimEnd().split('\n').slice(-60).join('\n'));
    console.error(`release-check: FAILED during "${step}": ${message}`);
    console.log('release-check: 0 passed, 1 failed');
  }
  process.exit(code);
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
function run(command, args, { cwd, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      children.delete(child);
      reject(new CheckError(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new CheckError(`\`${command} ${args.join(' ')}\` exited with ${code ?? signal}`, `${stdout}\n${stderr}`),
        );
    });
  });
}

function lockedVersion(lock, name) {
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) fail(`package-lock.json pins no version of ${name}`);
  return version;
}

// ---------------------------------------------------------------------------------------------- steps

function checkLockfile() {
  begin('npm install on a clean clone leaves package-lock.json unchanged');
  const drift = lockfileDrift(repoRoot);
  if (drift) fail(drift);
}

async function packLibrary(packDir) {
  begin('npm pack (clean build of the library)');
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', packDir], {
    cwd: libDir,
    env: cleanNpmEnv(),
  });
  const start = stdout.indexOf('[');
  let report;
  try {
    report = JSON.parse(stdout.slice(start))[0];
  } catch {
    fail('could not read the JSON report of npm pack', stdout);
  }
  const tarball = join(packDir, report.filename);
  check(existsSync(tarball), `npm pack wrote no ${report.filename}`);

  begin('inspect the tarball');
  const files = report.files.map((file) => file.path);
  for (const required of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/redis/index.js',
    'dist/redis/index.d.ts',
  ]) {
    check(files.includes(required), `the tarball lacks ${required}`);
  }
  const unwanted = files.filter(
    (file) =>
      /\.spec\.|\.e2e-spec\.|\.map$|\.tsbuildinfo$|\.ts$(?<!\.d\.ts)/.test(file) ||
      /^(src|test|scripts|node_modules)\//.test(file) ||
      file === 'tsconfig.lib.json',
  );
  check(unwanted.length === 0, `the tarball ships files users must not get: ${unwanted.join(', ')}`);
  const manifest = JSON.parse(readFileSync(join(libDir, 'package.json'), 'utf8'));
  check(
    !manifest.dependencies || Object.keys(manifest.dependencies).length === 0,
    'the library has runtime dependencies',
  );
  for (const file of files.filter((name) => name.endsWith('.js'))) {
    check(files.includes(file.replace(/\.js$/, '.d.ts')), `${file} has no .d.ts next to it`);
  }
  log(`tarball ${report.filename}: ${files.length} files, ${report.size} bytes`);
  return tarball;
}

async function installApp(appDir, tarball) {
  begin('npm install the throwaway app');
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  const peers = [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    'rxjs',
    'reflect-metadata',
    'class-validator',
    'class-transformer',
  ];
  const dependencies = Object.fromEntries(peers.map((name) => [name, lockedVersion(lock, name)]));
  dependencies['jmap-push'] = `file:${tarball}`;
  writeFileSync(
    join(appDir, 'package.json'),
    `${JSON.stringify({ name: 'jmap-push-release-check-app', version: '0.0.0', private: true, dependencies }, null, 2)}\n`,
  );
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: appDir,
    env: cleanNpmEnv(),
  });
  const installed = join(appDir, 'node_modules', 'jmap-push');
  check(existsSync(join(installed, 'package.json')), 'jmap-push is not in the app after npm install');
  check(!existsSync(join(appDir, 'node_modules', 'ioredis')), 'ioredis was installed although it is an optional peer');
  check(!existsSync(join(appDir, 'node_modules', 'redis')), 'redis was installed although it is an optional peer');
  for (const dts of ['dist/index.d.ts', 'dist/redis/index.d.ts']) {
    check(existsSync(join(installed, dts)), `the installed package lacks ${dts}`);
  }
}

async function loadEntryPoints(appDir) {
  begin('load jmap-push and jmap-push/redis (CommonJS and ESM)');
  writeFileSync(
    join(appDir, 'entry-points.cjs'),
    `'use strict';
require('reflect-metadata');
const assert = require('node:assert');
const path = require('node:path');
for (const id of ['jmap-push', 'jmap-push/redis']) {
  const resolved = require.resolve(id);
  assert.ok(resolved.startsWith(path.join(__dirname, 'node_modules', 'jmap-push') + path.sep), id + ' resolved outside the app: ' + resolved);
}
const core = require('jmap-push');
for (const name of ['JmapPushModule', 'StateChangeService', 'JmapPushSession', 'PushMetrics', 'InMemoryPushBus', 'ClampingPingPolicy', 'constantTimeEquals']) {
  assert.strictEqual(typeof core[name], 'function', 'jmap-push exports no function ' + name);
}
const redis = require('jmap-push/redis');
assert.strictEqual(typeof redis.RedisPushBus, 'function', 'jmap-push/redis exports no RedisPushBus');
assert.strictEqual(typeof redis.publishStateChange, 'function', 'jmap-push/redis exports no publishStateChange');
assert.strictEqual(typeof redis.DEFAULT_KEY_PREFIX, 'string', 'jmap-push/redis exports no DEFAULT_KEY_PREFIX');
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
for (const [name, value] of Object.entries({ JmapPushModule, StateChangeService, RedisPushBus, publishStateChange })) {
  assert.strictEqual(typeof value, 'function', 'named ESM import ' + name + ' is not a function');
}
`,
  );
  await run(process.execPath, ['entry-points.cjs'], { cwd: appDir });
  await run(process.execPath, ['entry-points.mjs'], { cwd: appDir });
}

async function typeCheckConsumer(appDir) {
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
import { RedisPushBus, publishStateChange, type RedisPushBusOptions } from 'jmap-push/redis';

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

export const redisPieces: [typeof RedisPushBus, typeof publishStateChange, RedisPushBusOptions['keyPrefix']] = [RedisPushBus, publishStateChange, 'jmap-push:'];
`,
  );
  const common = [
    tsc,
    '--noEmit',
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
  for (const resolution of [
    ['--module', 'commonjs', '--moduleResolution', 'node10'],
    ['--module', 'node16', '--moduleResolution', 'node16'],
  ]) {
    try {
      await run(process.execPath, [...common, ...resolution], { cwd: appDir });
    } catch (error) {
      if (error instanceof CheckError) error.output = toReadmePositions(error.output ?? '', examples);
      throw error;
    }
  }
}

/** Writes the throwaway app: plain CommonJS, no decorators, driven by the parent over IPC. */
function writeApp(appDir) {
  writeFileSync(
    join(appDir, 'app.js'),
    `'use strict';
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { JmapPushModule, StateChangeService, constantTimeEquals } = require('jmap-push');

const authenticator = {
  authenticateBasic(name, password) {
    if (name !== 'alice@example.com' || !constantTimeEquals(password, 'alice-secret')) return null;
    return { id: 'alice', accountIds: ['acc-1'] };
  },
};

class AppModule {}
Module({ imports: [JmapPushModule.forRoot({ authenticator })] })(AppModule);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const stateChanges = app.get(StateChangeService);
  process.on('message', async (message) => {
    try {
      if (message.type === 'publish') {
        const id = await stateChanges.publish(message.accountId, message.changed);
        process.send({ type: 'published', ref: message.ref, id });
      } else if (message.type === 'close') {
        await app.close();
        process.send({ type: 'closed' }, () => process.exit(0));
      }
    } catch (error) {
      process.send({ type: 'error', message: String(error && error.stack || error) });
    }
  });
  process.send({ type: 'ready', port });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`,
  );
}

/** A parsed Server-Sent Events stream: frames as `{ event, id, retry, data }`. */
class EventStream {
  constructor(response) {
    this.frames = [];
    this.waiters = [];
    this.ended = false;
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      buffer += chunk;
      let boundary;
      while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const raw = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        const frame = { raw };
        for (const line of raw.split(/\r?\n/)) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          frame[field] = field === 'data' && frame.data !== undefined ? `${frame.data}\n${value}` : value;
        }
        this.frames.push(frame);
      }
      this.notify();
    });
    const end = () => {
      this.ended = true;
      this.notify();
    };
    response.on('end', end);
    response.on('close', end);
    response.on('error', end);
  }

  notify() {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves with the first frame (from `from` on) that matches, or fails after `ms`. */
  next(predicate, description, from = 0, ms = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new CheckError(`no ${description} within ${ms} ms`, this.frames.map((frame) => frame.raw).join('\n\n')));
      }, ms);
      const remove = () => {
        this.waiters = this.waiters.filter((waiter) => waiter !== attempt);
        clearTimeout(timer);
      };
      const attempt = () => {
        const index = this.frames.findIndex((frame, position) => position >= from && predicate(frame));
        if (index !== -1) {
          remove();
          resolve({ frame: this.frames[index], index });
        } else if (this.ended) {
          remove();
          reject(
            new CheckError(
              `the stream ended before ${description}`,
              this.frames.map((frame) => frame.raw).join('\n\n'),
            ),
          );
        }
      };
      this.waiters.push(attempt);
      attempt();
    });
  }

  whenEnded(ms) {
    return new Promise((resolve, reject) => {
      if (this.ended) return resolve();
      const timer = setTimeout(
        () => reject(new CheckError(`the stream did not end within ${ms} ms of app.close()`)),
        ms,
      );
      this.waiters.push(() => {
        if (this.ended) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
}

function request(port, path, auth, agent = undefined) {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      { host: '127.0.0.1', port, path, auth, agent, headers: { Accept: 'text/event-stream' } },
      resolve,
    );
    req.on('error', (error) => reject(new CheckError(`GET ${path} failed: ${error.message}`)));
  });
}

function readBody(response) {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => resolve(body));
  });
}

async function runApp(appDir) {
  begin('start the throwaway app');
  writeApp(appDir);
  let output = '';
  const app = fork(join(appDir, 'app.js'), [], {
    cwd: appDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(app);
  app.stdout.on('data', (chunk) => (output += chunk));
  app.stderr.on('data', (chunk) => (output += chunk));
  const messages = [];
  const waiters = [];
  let exited;
  const appExit = new Promise((resolve) => {
    app.on('exit', (code, signal) => {
      children.delete(app);
      exited = code ?? signal;
      resolve(exited);
      for (const waiter of [...waiters]) waiter();
    });
  });
  app.on('message', (message) => {
    messages.push(message);
    for (const waiter of [...waiters]) waiter();
  });
  const receive = (type, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CheckError(`the app sent no "${type}" within ${ms} ms`, output)), ms);
      const attempt = () => {
        const error = messages.find((message) => message.type === 'error');
        const found = messages.findIndex((message) => message.type === type);
        if (error) {
          clearTimeout(timer);
          reject(new CheckError(`the app failed: ${error.message}`, output));
        } else if (found !== -1) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(attempt), 1);
          resolve(messages.splice(found, 1)[0]);
        } else if (exited !== undefined) {
          clearTimeout(timer);
          reject(new CheckError(`the app exited (${exited}) before "${type}"`, output));
        }
      };
      waiters.push(attempt);
      attempt();
    });

  const { port } = await receive('ready', 30_000);
  log(`app listening on 127.0.0.1:${port}`);
  const path = '/jmap/eventsource?types=Email,Mailbox&closeafter=no&ping=0';

  begin('an event source without credentials gets 401');
  const refused = await request(port, path);
  await readBody(refused);
  check(refused.statusCode === 401, `expected 401 without credentials, got ${refused.statusCode}`);
  check(/^Basic /.test(String(refused.headers['www-authenticate'])), 'the 401 has no Basic WWW-Authenticate challenge');

  begin('open the event source with Basic auth');
  // Its own connection (no keep-alive agent): the check ends with app.close(), and Node's server.close() waits
  // out keepAliveTimeout (5 s) for a keep-alive socket that was still busy when closing began.
  const response = await request(port, path, 'alice@example.com:alice-secret', false);
  if (response.statusCode !== 200) {
    fail(`the event source answered ${response.statusCode}: ${await readBody(response)}`, output);
  }
  check(
    /^text\/event-stream/.test(String(response.headers['content-type'])),
    `the event source's Content-Type is ${response.headers['content-type']}`,
  );
  const stream = new EventStream(response);
  const opened = await stream.next((frame) => frame.retry !== undefined, 'first frame with retry:');

  begin('publish through StateChangeService and receive event: state');
  // A change of an account alice may not read, then one of hers that also names a type she did not ask for.
  app.send({ type: 'publish', ref: 'foreign', accountId: 'acc-2', changed: { Email: 'x1' } });
  await receive('published');
  app.send({
    type: 'publish',
    ref: 'own',
    accountId: 'acc-1',
    changed: { Email: 'e42', Thread: 't17', Mailbox: 'm7' },
  });
  const { id } = await receive('published');
  const { frame } = await stream.next((candidate) => candidate.event === 'state', 'event: state', opened.index + 1);
  let data;
  try {
    data = JSON.parse(frame.data);
  } catch {
    fail(`the state event's data is not JSON: ${frame.data}`);
  }
  const expected = { '@type': 'StateChange', changed: { 'acc-1': { Email: 'e42', Mailbox: 'm7' } } };
  check(isDeepStrictEqual(data, expected), `expected ${JSON.stringify(expected)}, got ${frame.data}`);
  check(frame.id === id, `the state event's id is ${frame.id}, publish() resolved with ${id}`);

  begin('app.close() ends the stream and the app exits');
  app.send({ type: 'close' });
  await stream.whenEnded(5_000);
  log('stream ended');
  await receive('closed');
  log('app.close() resolved');
  const code = await Promise.race([appExit, new Promise((resolve) => setTimeout(() => resolve('timeout'), 5_000))]);
  check(code === 0, `the app exited with ${code} after app.close()`);
}

// ----------------------------------------------------------------------------------------------- main

const deadline = setTimeout(
  () => finish(1, `timed out after ${DEADLINE_MS / 1000} s (everything was killed)`),
  DEADLINE_MS,
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => finish(1, `interrupted by ${signal}`));

try {
  const packDir = mkdtempSync(join(tmpdir(), 'jmap-push-pack-'));
  tempDirs.push(packDir);
  const appDir = mkdtempSync(join(tmpdir(), 'jmap-push-app-'));
  tempDirs.push(appDir);

  checkLockfile();
  const tarball = await packLibrary(packDir);
  await installApp(appDir, tarball);
  await loadEntryPoints(appDir);
  await typeCheckConsumer(appDir);
  await runApp(appDir);
  clearTimeout(deadline);
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  finish(0);
} catch (error) {
  clearTimeout(deadline);
  finish(
    1,
    error instanceof Error ? error.message : String(error),
    error instanceof CheckError ? error.output : error?.stack,
  );
}

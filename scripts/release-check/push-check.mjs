// The push check: a plain-JS app in a child process, an event source opened over raw HTTP, a published change
// received as `event: state`, and `app.close()` ending the stream.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { EventStream, readBody, request } from './event-stream.mjs';
import { begin, check, CheckError, children, fail, log } from './harness.mjs';

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

export async function runApp(appDir) {
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

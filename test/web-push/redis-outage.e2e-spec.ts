// Web Push on a Redis that is away while a node starts: the node waits for Redis as its bus does (the
// other push channels need it too) instead of failing its start-up because the Web Push store's change
// feed could not be set up within `commandTimeoutMs`, and Web Push works once Redis is back.
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisPushBus, RedisPushSubscriptionStore } from 'jmap-push/redis';
import { RedisServerProcess } from '../redis/support/redis-server-process';
import { within } from '../support/wait';
import { changedOf, startWebPushApp, type WebPushApp } from './support/web-push-app';

jest.setTimeout(30_000);

/** Silences the warnings matching `expected` and resolves at the first that matches `awaited`. */
function warningsOf(expected: RegExp, awaited: RegExp): { seen: Promise<string>; restore: () => void } {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound on purpose: the mock calls it with the logger as `this`
  const original = Logger.prototype.warn;
  let seen!: (message: string) => void;
  const promise = new Promise<string>((resolve) => (seen = resolve));
  const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (
    this: Logger,
    message: unknown,
    ...rest: unknown[]
  ) {
    if (typeof message === 'string' && awaited.test(message)) seen(message);
    else if (!(typeof message === 'string' && expected.test(message))) original.call(this, message, ...rest);
  });
  return {
    seen: promise,
    restore: () => {
      spy.mockRestore();
    },
  };
}

describe('Web Push on a Redis that is away at start-up', () => {
  let server: RedisServerProcess;
  let redis: Redis | undefined;
  let app: WebPushApp | undefined;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });
  afterEach(async () => {
    await app?.close();
    redis?.disconnect();
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('starts once Redis is back, even after the store gave up getting ready, and then pushes', async () => {
    await server.kill();
    redis = new Redis(server.url, { retryStrategy: () => 100 });
    const bus = new RedisPushBus({ client: redis, blockMs: 500 });
    const store = new RedisPushSubscriptionStore({ client: redis, blockMs: 500, commandTimeoutMs: 500 });
    const warnings = warningsOf(/Redis is not reachable|consumer group failed/, /Web Push starts without/);
    try {
      const starting = startWebPushApp({ bus, webPushOptions: { store, pollIntervalMs: 100 } });
      // The store gave up on its change feed (after commandTimeoutMs); the node keeps starting.
      await within(Promise.race([warnings.seen, starting]), 10_000, 'the store gave up getting ready');
      await server.start();
      app = await within(starting, 10_000, 'the app started');
    } finally {
      warnings.restore();
    }
    // The feed joins on its own once Redis is back; awaited, so the change below is surely kept for it.
    await store.ready();
    const phone = await app.subscribeVerified('after-the-outage');
    await app.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    expect(changedOf(await app.service.nextPush(phone.name))).toEqual({ 'acc-bob': { Email: 'e1' } });
  });
});

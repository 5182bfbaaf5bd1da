import type { Redis } from 'ioredis';
import { InvalidStateChangeError } from '../errors/invalid-state-change.error';
import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { publishStateChange } from './publish-state-change';
import { RedisPushBus } from './redis-push-bus';

/** An ioredis look-alike that records whether anything was asked of it: a bad publish must ask nothing. */
function untouchedClient(): { client: Redis; touched: () => boolean } {
  let touched = false;
  const touch = (): never => {
    touched = true;
    throw new Error('the client was used');
  };
  const client = { status: 'ready', options: {}, call: touch, multi: touch, duplicate: touch };
  return { client: client as unknown as Redis, touched: () => touched };
}

const malformed: Array<[string, unknown, unknown]> = [
  ['an empty account id', '', { Email: 'e1' }],
  ['a number account id', 42, { Email: 'e1' }],
  ['null changes', 'u1', null],
  ['an empty change', 'u1', {}],
  ['a non-string state', 'u1', { Email: 5 }],
  ['an empty state', 'u1', { Email: '' }],
];

describe('the publishing edges of jmap-push/redis', () => {
  it.each(malformed)(
    'RedisPushBus.publish() rejects %s with InvalidStateChangeError, before touching Redis',
    async (_name, accountId, changed) => {
      const { client, touched } = untouchedClient();
      const publish = new RedisPushBus({ client }).publish(accountId as string, changed as Record<string, string>);
      await expect(publish).rejects.toBeInstanceOf(InvalidStateChangeError);
      await expect(publish).rejects.toThrow(/^publish\(\): /);
      expect(touched()).toBe(false);
    },
  );

  it.each(malformed)(
    'publishStateChange() rejects %s with InvalidStateChangeError, before touching Redis',
    async (_name, accountId, changed) => {
      const { client, touched } = untouchedClient();
      const publish = publishStateChange(client, accountId as string, changed as Record<string, string>);
      await expect(publish).rejects.toBeInstanceOf(InvalidStateChangeError);
      await expect(publish).rejects.toThrow(/^publishStateChange\(\): /);
      expect(touched()).toBe(false);
    },
  );

  it.each(['maxLen', 'replayWindow', 'blockMs', 'readBatchSize', 'commandTimeoutMs'])(
    'RedisPushBus refuses a %s that is not a positive integer with JmapPushConfigError',
    (option) => {
      const { client } = untouchedClient();
      for (const value of [0, -1, 1.5]) {
        expect(() => new RedisPushBus({ client, [option]: value })).toThrow(JmapPushConfigError);
        expect(() => new RedisPushBus({ client, [option]: value })).toThrow(`RedisPushBus: ${option} must be`);
      }
    },
  );

  it('publishStateChange refuses a maxLen of 0 (it would trim the whole change log) before touching Redis', async () => {
    const { client, touched } = untouchedClient();
    await expect(publishStateChange(client, 'u1', { Email: 'e1' }, { maxLen: 0 })).rejects.toBeInstanceOf(
      JmapPushConfigError,
    );
    expect(touched()).toBe(false);
  });

  it('refuses a client that is neither ioredis nor node-redis with JmapPushConfigError', () => {
    const notAClient: unknown = { get: () => undefined };
    expect(() => new RedisPushBus({ client: notAClient as Redis })).toThrow(JmapPushConfigError);
  });
});

import Redis from 'ioredis';
import { RedisPushBus } from '../../libs/jmap-push/src/redis';
it('debug', async () => {
  const c = new Redis();
  const bus = new RedisPushBus({ client: c, keyPrefix: 'dbg:', blockMs: 1000 });
  if (process.env.STEP!.includes('l')) { bus.listen(() => undefined); await bus.ready(); }
  if (process.env.STEP!.includes('p')) await bus.publish('u1', { Email: 'x' });
  if (process.env.STEP!.includes('c')) await bus.changesSince('1-0', ['u1']);
  await bus.close();
  await c.quit();
});

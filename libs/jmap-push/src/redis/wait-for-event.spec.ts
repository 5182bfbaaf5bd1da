import { EventEmitter } from 'node:events';
import { waitForEvent } from './wait-for-event';

describe('waitForEvent', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets any number of concurrent waits share one listener pair, removed when the client is ready', async () => {
    const client = new EventEmitter();
    const warnings = jest.fn();
    process.on('warning', warnings);
    try {
      const waits = Array.from({ length: 50 }, () => waitForEvent(client, 'ready', 'end', 5_000));
      expect(client.listenerCount('ready')).toBe(1);
      expect(client.listenerCount('end')).toBe(1);
      client.emit('ready');
      await expect(Promise.all(waits)).resolves.toHaveLength(50);
      expect(client.listenerCount('ready')).toBe(0);
      expect(client.listenerCount('end')).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      process.off('warning', warnings);
    }
  });

  it('rejects every waiter when the client ends, and a later wait listens afresh', async () => {
    const client = new EventEmitter();
    const first = waitForEvent(client, 'ready', 'end', 5_000);
    const second = waitForEvent(client, 'ready', 'end', 5_000);
    client.emit('end');
    await expect(first).rejects.toThrow('Redis connection is closed');
    await expect(second).rejects.toThrow('Redis connection is closed');
    expect(client.listenerCount('end')).toBe(0);
    const third = waitForEvent(client, 'ready', 'end', 5_000);
    expect(client.listenerCount('ready')).toBe(1);
    client.emit('ready');
    await expect(third).resolves.toBeUndefined();
  });

  it('times each waiter out on its own deadline, and the shared wait goes on for the others', async () => {
    jest.useFakeTimers();
    const client = new EventEmitter();
    const short = waitForEvent(client, 'ready', 'end', 100);
    const long = waitForEvent(client, 'ready', 'end', 1_000);
    const shortFailed = expect(short).rejects.toThrow('waited 100 ms');
    await jest.advanceTimersByTimeAsync(100);
    await shortFailed;
    expect(client.listenerCount('ready')).toBe(1);
    client.emit('ready');
    await expect(long).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves no unhandled rejection when the client ends after every waiter timed out', async () => {
    jest.useFakeTimers();
    const client = new EventEmitter();
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const wait = expect(waitForEvent(client, 'ready', 'end', 100)).rejects.toThrow('waited 100 ms');
      await jest.advanceTimersByTimeAsync(100);
      await wait;
      client.emit('end');
      jest.useRealTimers();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
      expect(client.listenerCount('end')).toBe(0);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

import { STOPPED, StopSignal } from './stop-signal';

describe('StopSignal', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('settles as the work does while not stopped, with the work’s own rejection', async () => {
    const signal = new StopSignal();
    await expect(signal.race(Promise.resolve(42))).resolves.toBe(42);
    const reason = new Error('NOGROUP no such group');
    await expect(signal.race(Promise.reject(reason))).rejects.toBe(reason);
    expect(signal.stopped).toBe(false);
  });

  it('ends a pending race with STOPPED, and a later race at once, without waiting for the work', async () => {
    const signal = new StopSignal();
    const never = new Promise<number>(() => undefined);
    const pending = signal.race(never);
    signal.stop();
    await expect(pending).resolves.toBe(STOPPED);
    await expect(signal.race(never)).resolves.toBe(STOPPED);
    expect(signal.stopped).toBe(true);
  });

  it('swallows a rejection of work it stopped waiting for', async () => {
    const signal = new StopSignal();
    let fail!: (error: Error) => void;
    const work = new Promise<number>((_, reject) => (fail = reject));
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const pending = signal.race(work);
      signal.stop();
      await expect(pending).resolves.toBe(STOPPED);
      fail(new Error('connection closed'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('keeps no callback once a race settled: settled work is not held for the next stop', async () => {
    const signal = new StopSignal();
    for (let i = 0; i < 1_000; i++) await signal.race(Promise.resolve({ reply: i }));
    await expect(signal.race(Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect((signal as unknown as { waiters: Set<unknown> }).waiters.size).toBe(0);
  });

  it('pause waits its time, ends early on stop, and leaves no timer armed', async () => {
    jest.useFakeTimers();
    const signal = new StopSignal();
    let paused = false;
    void signal.pause(1_000).then(() => (paused = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(paused).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(paused).toBe(true);

    let cut = false;
    void signal.pause(60_000).then(() => (cut = true));
    signal.stop();
    await Promise.resolve();
    expect(cut).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    await expect(signal.pause(60_000)).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });
});

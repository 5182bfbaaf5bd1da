import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('settles as the work does, and leaves no timer armed', async () => {
    jest.useFakeTimers();
    await expect(
      withTimeout(
        () => Promise.resolve(42),
        1_000,
        () => new Error('late'),
      ),
    ).resolves.toBe(42);
    await expect(
      withTimeout(
        () => 7,
        1_000,
        () => new Error('late'),
      ),
    ).resolves.toBe(7);
    await expect(
      withTimeout(
        () => Promise.reject(new Error('no')),
        1_000,
        () => new Error('late'),
      ),
    ).rejects.toThrow('no');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the timeout error once the time has passed first', async () => {
    jest.useFakeTimers();
    const never = new Promise<number>(() => undefined);
    const waiting = withTimeout(
      () => never,
      1_000,
      () => new Error('late'),
    );
    jest.advanceTimersByTime(999);
    let settled = false;
    void waiting.catch(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    jest.advanceTimersByTime(1);
    await expect(waiting).rejects.toThrow('late');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('turns a synchronous throw of the work into a rejection', async () => {
    const work = (): number => {
      throw new Error('thrown');
    };
    await expect(withTimeout(work, 1_000, () => new Error('late'))).rejects.toThrow('thrown');
  });
});

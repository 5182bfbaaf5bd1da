import { PushDeadline } from './push-deadline';

describe('PushDeadline', () => {
  it('aborts with a TimeoutError once its time has passed, as a signal undici reads', async () => {
    const deadline = new PushDeadline(20);
    const aborted = new Promise<void>((resolve) => deadline.once('abort', resolve));
    expect(deadline.aborted).toBe(false);
    await aborted;
    expect(deadline.aborted).toBe(true);
    expect(deadline.reason).toBeInstanceOf(DOMException);
    expect((deadline.reason as DOMException).name).toBe('TimeoutError');
  });

  it('never aborts once cleared', async () => {
    const deadline = new PushDeadline(10);
    const listener = jest.fn();
    deadline.on('abort', listener);
    deadline.clear();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(listener).not.toHaveBeenCalled();
    expect(deadline.aborted).toBe(false);
  });
});

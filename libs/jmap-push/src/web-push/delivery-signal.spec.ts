import { Logger } from '@nestjs/common';
import { DeliverySignal } from './delivery-signal';

describe('DeliverySignal', () => {
  it('calls every listener on notify, synchronously, until it is removed', () => {
    const signal = new DeliverySignal();
    const calls: string[] = [];
    const removeA = signal.onNotify(() => calls.push('a'));
    signal.onNotify(() => calls.push('b'));
    signal.notify();
    expect(calls).toEqual(['a', 'b']);
    removeA();
    signal.notify();
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('adds the same function twice as two listeners, each removed on its own', () => {
    const signal = new DeliverySignal();
    let calls = 0;
    const listener = (): void => {
      calls++;
    };
    const remove = signal.onNotify(listener);
    signal.onNotify(listener);
    signal.notify();
    expect(calls).toBe(2);
    remove();
    signal.notify();
    expect(calls).toBe(3);
  });

  it('logs a listener that throws and still calls the others', () => {
    const signal = new DeliverySignal();
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      let reached = false;
      signal.onNotify(() => {
        throw new Error('worker bug');
      });
      signal.onNotify(() => (reached = true));
      expect(() => {
        signal.notify();
      }).not.toThrow();
      expect(reached).toBe(true);
      expect(errors).toHaveBeenCalledWith(expect.stringContaining('worker bug'));
    } finally {
      errors.mockRestore();
    }
  });
});

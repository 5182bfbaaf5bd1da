import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { positiveIntegerOption } from './positive-integer-option';

describe('positiveIntegerOption', () => {
  it('takes the default when the option is not given, and the value when it is', () => {
    expect(positiveIntegerOption('Owner', 'size', undefined, 10)).toBe(10);
    expect(positiveIntegerOption('Owner', 'size', null, 10)).toBe(10);
    expect(positiveIntegerOption('Owner', 'size', 1, 10)).toBe(1);
    expect(positiveIntegerOption('Owner', 'size', Number.MAX_SAFE_INTEGER, 10)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5' as unknown as number])(
    'refuses %p with a JmapPushConfigError naming the owner and the option',
    (value) => {
      expect(() => positiveIntegerOption('Owner', 'size', value, 10)).toThrow(JmapPushConfigError);
      expect(() => positiveIntegerOption('Owner', 'size', value, 10)).toThrow(
        `Owner: size must be a positive integer, got ${String(value)}`,
      );
    },
  );
});

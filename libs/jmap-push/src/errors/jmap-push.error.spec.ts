import { InvalidStateChangeError } from './invalid-state-change.error';
import { JmapPushConfigError } from './jmap-push-config.error';
import { JmapPushError } from './jmap-push.error';

describe('the JmapPushError family', () => {
  it.each<[string, Error]>([
    ['JmapPushError', new JmapPushError('x')],
    ['JmapPushConfigError', new JmapPushConfigError('x')],
    ['InvalidStateChangeError', new InvalidStateChangeError('x')],
  ])('counts a %s as a JmapPushError, with its own name', (name, error) => {
    expect(error).toBeInstanceOf(JmapPushError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
  });

  it("does not count anyone else's errors", () => {
    for (const other of [new Error('x'), new TypeError('x'), new RangeError('x')]) {
      expect(other).not.toBeInstanceOf(JmapPushError);
    }
  });

  it('keeps one member apart from another', () => {
    expect(new InvalidStateChangeError('x')).not.toBeInstanceOf(JmapPushConfigError);
    expect(new JmapPushConfigError('x')).not.toBeInstanceOf(InvalidStateChangeError);
  });

  it('keeps a cause', () => {
    const cause = new Error('socket closed');
    expect(new JmapPushError('not recorded', { cause }).cause).toBe(cause);
  });
});

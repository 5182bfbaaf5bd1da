import { InvalidStateChangeError } from './invalid-state-change.error';
import { JmapPushConfigError } from './jmap-push-config.error';
import { JmapPushError } from './jmap-push.error';

describe('the JmapPushError family', () => {
  it.each<[string, Error, ErrorConstructor]>([
    ['JmapPushError', new JmapPushError('x'), Error],
    ['JmapPushConfigError', new JmapPushConfigError('x'), RangeError],
    ['InvalidStateChangeError', new InvalidStateChangeError('x'), TypeError],
  ])('counts a %s as a JmapPushError and keeps its built-in kind', (name, error, kind) => {
    expect(error).toBeInstanceOf(JmapPushError);
    expect(error).toBeInstanceOf(kind);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
  });

  it("does not count anyone else's errors, nor non-errors", () => {
    for (const other of [
      new Error('x'),
      new TypeError('x'),
      new RangeError('x'),
      { name: 'JmapPushError' },
      null,
      'x',
    ]) {
      expect(other instanceof JmapPushError).toBe(false);
    }
  });

  it('keeps instanceof of each member exact: one member is not another', () => {
    expect(new InvalidStateChangeError('x')).not.toBeInstanceOf(JmapPushConfigError);
    expect(new JmapPushConfigError('x')).not.toBeInstanceOf(InvalidStateChangeError);
    expect(new JmapPushError('x')).not.toBeInstanceOf(JmapPushConfigError);
  });

  it('recognises an error of another copy of the package (same mark, other classes)', () => {
    class OtherCopyError extends Error {}
    Object.defineProperty(OtherCopyError.prototype, Symbol.for('jmap-push.error'), { value: true });
    expect(new OtherCopyError('x')).toBeInstanceOf(JmapPushError);
  });

  it('keeps a cause', () => {
    const cause = new Error('socket closed');
    expect(new JmapPushError('not recorded', { cause }).cause).toBe(cause);
  });
});

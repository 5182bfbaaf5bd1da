import { Logger } from '@nestjs/common';

/** The levels at which jmap-push logs. */
export type LogLevel = 'error' | 'warn' | 'log';

/**
 * Runs `body` with the log lines of `level` that match `expected` silenced: the ones the test provokes
 * on purpose. Every other line still prints, so an unexpected error stands out. Fails unless at least
 * one expected line was logged, and resolves with what `body` resolved with.
 */
export async function expectLogged<T>(level: LogLevel, expected: RegExp, body: () => Promise<T>): Promise<T> {
  const silenced: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound on purpose: the mock calls it with the logger as `this`
  const original = Logger.prototype[level];
  const spy = jest.spyOn(Logger.prototype, level).mockImplementation(function (
    this: Logger,
    message: unknown,
    ...rest: unknown[]
  ) {
    if (typeof message === 'string' && expected.test(message)) silenced.push(message);
    else original.call(this, message, ...rest);
  });
  try {
    const result = await body();
    expect(silenced).toContainEqual(expect.stringMatching(expected));
    return result;
  } finally {
    spy.mockRestore();
  }
}

import { Logger } from '@nestjs/common';
import type { JmapUser } from '../auth/jmap-user';
import { SessionStateService } from '../session/session-state.service';
import { CORE_CAPABILITY } from './capabilities';
import { MethodError } from './method-error';
import { MethodRegistry } from './method-registry.service';
import { RequestProcessor } from './request-processor.service';

const USER: JmapUser = {
  id: 'a@x.org',
  username: 'a@x.org',
  accountId: 'a1',
  accounts: new Map([['a1', { accountId: 'a1', name: 'a@x.org', isPersonal: true, isReadOnly: false }]]),
  accountIds: ['a1'],
};

/** A promise and its resolver, so a test decides when an asynchronous handler answers. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('RequestProcessor with asynchronous method handlers (RFC 8620 section 3)', () => {
  let registry: MethodRegistry;
  let processor: RequestProcessor;

  beforeEach(() => {
    registry = new MethodRegistry();
    processor = new RequestProcessor(registry, new SessionStateService());
  });

  const run = (methodCalls: unknown[]) =>
    processor
      .processParsed({ using: [CORE_CAPABILITY], methodCalls }, USER, { principal: USER })
      .then((r) => r.methodResponses);

  it('runs calls in order: a call after an asynchronous one starts only once it has answered', async () => {
    const log: string[] = [];
    const slow = deferred<Record<string, unknown>>();
    registry.register('Test/slow', CORE_CAPABILITY, () => {
      log.push('slow started');
      return slow.promise;
    });
    registry.register('Test/sync', CORE_CAPABILITY, () => {
      log.push('sync ran');
      return { done: true };
    });
    const response = run([
      ['Test/slow', {}, 'a'],
      ['Test/sync', {}, 'b'],
    ]);
    await Promise.resolve();
    expect(log).toEqual(['slow started']);
    log.push('slow answers');
    slow.resolve({ value: 1 });
    await expect(response).resolves.toEqual([
      ['Test/slow', { value: 1 }, 'a'],
      ['Test/sync', { done: true }, 'b'],
    ]);
    expect(log).toEqual(['slow started', 'slow answers', 'sync ran']);
  });

  it('resolves result references (RFC 8620 section 3.7) against an asynchronous answer', async () => {
    registry.register('Test/query', CORE_CAPABILITY, () => Promise.resolve({ ids: ['x', 'y'] }));
    registry.register('Core/echo', CORE_CAPABILITY, (args) => args);
    await expect(
      run([
        ['Test/query', {}, 'q'],
        ['Core/echo', { '#ids': { resultOf: 'q', name: 'Test/query', path: '/ids' } }, 'e'],
      ]),
    ).resolves.toEqual([
      ['Test/query', { ids: ['x', 'y'] }, 'q'],
      ['Core/echo', { ids: ['x', 'y'] }, 'e'],
    ]);
  });

  it('answers a rejected MethodError as its error, and goes on with the next call', async () => {
    registry.register('Test/refuse', CORE_CAPABILITY, () => Promise.reject(new MethodError('forbidden', 'no')));
    registry.register('Core/echo', CORE_CAPABILITY, (args) => args);
    await expect(
      run([
        ['Test/refuse', {}, 'a'],
        ['Core/echo', { ok: 1 }, 'b'],
      ]),
    ).resolves.toEqual([
      ['error', { type: 'forbidden', description: 'no' }, 'a'],
      ['Core/echo', { ok: 1 }, 'b'],
    ]);
  });

  it('answers any other rejection as serverFail, without its message', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      registry.register('Test/crash', CORE_CAPABILITY, () => Promise.reject(new Error('redis: secret internals')));
      const [[name, args, callId]] = await run([['Test/crash', {}, 'a']]);
      expect([name, callId]).toEqual(['error', 'a']);
      expect(args).toEqual({ type: 'serverFail', description: 'The server failed to process this method call.' });
      expect(JSON.stringify(args)).not.toContain('secret');
      expect(logged).toHaveBeenCalledWith('Test/crash failed', expect.stringContaining('redis: secret internals'));
    } finally {
      logged.mockRestore();
    }
  });

  it('runs a Request of synchronous calls in one go: nothing queued meanwhile runs between its calls', async () => {
    const log: string[] = [];
    registry.register('Test/sync', CORE_CAPABILITY, (args) => {
      log.push(String(args.n));
      // Anything waiting on the microtask queue would run between the calls if each were awaited.
      void Promise.resolve().then(() => log.push('interleaved'));
      return {};
    });
    const response = run([
      ['Test/sync', { n: 1 }, 'a'],
      ['Test/sync', { n: 2 }, 'b'],
      ['Test/sync', { n: 3 }, 'c'],
    ]);
    expect(log).toEqual(['1', '2', '3']);
    await response;
  });
});

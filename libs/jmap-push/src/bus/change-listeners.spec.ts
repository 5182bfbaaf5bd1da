import { Logger } from '@nestjs/common';
import { ChangeListeners } from './change-listeners';
import type { PublishedChange } from './push-bus.interface';

const change: PublishedChange = { id: '1-1', accountId: 'a', changed: { Email: 'e1' } };

describe('ChangeListeners', () => {
  it('hands a change to every listener, and a failing one costs the others nothing', () => {
    const logger = new Logger('test');
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const listeners = new ChangeListeners(logger);
    const seen: string[] = [];
    listeners.add(() => seen.push('first'));
    listeners.add(() => {
      throw new Error('broken listener');
    });
    listeners.add(() => seen.push('third'));
    expect(() => {
      listeners.notify(change);
    }).not.toThrow();
    expect(seen).toEqual(['first', 'third']);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith('A push bus listener failed: broken listener');
  });

  it('stops handing changes to a removed listener, and to none after clear()', () => {
    const listeners = new ChangeListeners(new Logger('test'));
    const seen: string[] = [];
    const remove = listeners.add(() => seen.push('removed'));
    listeners.add(() => seen.push('kept'));
    remove();
    expect(listeners.size).toBe(1);
    listeners.notify(change);
    listeners.clear();
    listeners.notify(change);
    expect(seen).toEqual(['kept']);
  });
});

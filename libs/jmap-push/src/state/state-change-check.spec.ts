import { InvalidStateChangeError } from '../errors/invalid-state-change.error';
import { isTypeState, validStateChange } from './state-change-check';

const known = (type: string): boolean => type === 'Email' || type === 'Mailbox';

describe('validStateChange', () => {
  it('returns a copy that later changes to the input do not reach', () => {
    const changed: Record<string, string> = { Email: 'e1', Mailbox: 'm1' };
    const copy = validStateChange('publish()', 'a', changed, known);
    changed.Email = 'e2';
    expect(copy).toEqual({ Email: 'e1', Mailbox: 'm1' });
    expect(copy).not.toBe(changed);
  });

  it('reads each state once, so a getter cannot answer the check and the copy differently', () => {
    let reads = 0;
    const changed = {
      get Email() {
        reads++;
        return reads === 1 ? 'e1' : 5;
      },
    };
    expect(validStateChange('publish()', 'a', changed, known)).toEqual({ Email: 'e1' });
    expect(reads).toBe(1);
  });

  it.each<[string, unknown, unknown, string]>([
    ['an empty account id', '', { Email: 'e1' }, 'publish(): accountId must be a non-empty string'],
    ['a number account id', 7, { Email: 'e1' }, 'publish(): accountId must be a non-empty string'],
    ['null changes', 'a', null, 'publish(): changed must be an object of type name to state'],
    ['an array of changes', 'a', [['Email', 'e1']], 'publish(): changed must be an object of type name to state'],
    ['no type', 'a', {}, 'publish(): changed names no type'],
    ['an unknown type', 'a', { Bogus: 'b' }, 'publish(): unknown type "Bogus"; add it with the "types" option'],
    ['a number state', 'a', { Email: 5 }, 'publish(): the state of "Email" must be a non-empty string'],
    ['an empty state', 'a', { Email: '' }, 'publish(): the state of "Email" must be a non-empty string'],
  ])('refuses %s with an InvalidStateChangeError', (_name, accountId, changed, message) => {
    expect(() => validStateChange('publish()', accountId, changed, known)).toThrow(InvalidStateChangeError);
    expect(() => validStateChange('publish()', accountId, changed, known)).toThrow(message);
  });

  it('accepts any type name when it is given no registry, and names its caller', () => {
    expect(validStateChange('publishStateChange()', 'a', { CalendarEvent: 'c1' })).toEqual({ CalendarEvent: 'c1' });
    expect(() => validStateChange('publishStateChange()', '', { Email: 'e1' })).toThrow(/^publishStateChange\(\): /);
  });
});

describe('isTypeState', () => {
  it('is true exactly for a non-empty object of non-empty state strings', () => {
    expect(isTypeState({ Email: 'e1', Anything: 'x' })).toBe(true);
    for (const value of [{}, { Email: '' }, { Email: 1 }, null, [], 'Email', 3]) expect(isTypeState(value)).toBe(false);
  });
});

import { evaluatePointer, parsePointer, resolveResultReferences } from './result-reference';
import { MethodError } from './method-error';

describe('result references (RFC 8620 section 3.7)', () => {
  it('evaluates JSON pointers with escapes and the * token', () => {
    const doc = { list: [{ ids: ['a', 'b'] }, { ids: ['c'] }], 'x/y': { '~': 1 } };
    expect(evaluatePointer(doc, parsePointer('/list/*/ids'))).toEqual(['a', 'b', 'c']);
    expect(evaluatePointer(doc, parsePointer('/list/1/ids/0'))).toBe('c');
    expect(evaluatePointer(doc, parsePointer('/x~1y/~0'))).toBe(1);
    expect(() => evaluatePointer(doc, parsePointer('/list/2'))).toThrow();
    expect(() => parsePointer('list')).toThrow();
  });

  it('replaces #arguments and refuses ambiguous ones', () => {
    const earlier = [{ name: 'Foo/query', args: { ids: ['1'] }, callId: 'q' }];
    expect(
      resolveResultReferences({ '#ids': { resultOf: 'q', name: 'Foo/query', path: '/ids' }, a: 1 }, earlier),
    ).toEqual({ ids: ['1'], a: 1 });
    const both = () =>
      resolveResultReferences({ ids: [], '#ids': { resultOf: 'q', name: 'Foo/query', path: '/ids' } }, earlier);
    expect(both).toThrow(MethodError);
    try {
      resolveResultReferences({ '#ids': { resultOf: 'q', name: 'Bar/query', path: '/ids' } }, earlier);
    } catch (error) {
      expect((error as MethodError).type).toBe('invalidResultReference');
    }
  });
});

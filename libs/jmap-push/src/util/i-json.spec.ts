import { iJsonViolation } from './i-json';

describe('iJsonViolation (RFC 7493)', () => {
  it.each([
    '{}',
    '[]',
    '{"a":1,"b":[{"a":1},{"a":2}],"c":{"a":{"a":"a"}}}',
    '["a","a",{"a":"a"}]',
    '{"a":"x\\"a\\":1","b":"\\\\"}',
    '{"a":"\\ud83d\\ude00 \\u00e9"}',
    '{"\\u0061":1,"b":2}',
  ])('accepts %s', (text) => {
    JSON.parse(text);
    expect(iJsonViolation(text)).toBeUndefined();
  });

  it.each([
    ['{"a":1,"a":2}', 'member name "a" twice'],
    ['{"a":1,"\\u0061":2}', 'member name "a" twice'],
    ['[{"x":{"b":1,"c":2,"b":3}}]', 'member name "b" twice'],
    ['{"a":{"b":1},"c":{},"a":0}', 'member name "a" twice'],
    ['{"a":"\\ud800"}', 'lone surrogate'],
    ['{"a":"\\ude00\\ud83d"}', 'lone surrogate'],
    ['["\\ud83d x"]', 'lone surrogate'],
    ['{"\\udfff":1}', 'lone surrogate'],
  ])('refuses %s', (text, reason) => {
    JSON.parse(text);
    expect(iJsonViolation(text)).toContain(reason);
  });

  it('scans strings of escapes in linear time, without recursion (a 10 MB request is allowed)', () => {
    const text = JSON.stringify({ a: '\\"'.repeat(2_000_000), b: '\\'.repeat(1_000_000) });
    expect(iJsonViolation(text)).toBeUndefined();
    expect(iJsonViolation(`${text.slice(0, -1)},"a":1}`)).toContain('member name "a" twice');
  });
});

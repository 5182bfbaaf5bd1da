import fc from 'fast-check';
import { constantTimeEquals } from './constant-time-equals';
import { parseCredentials } from './credentials';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseCredentials', () => {
  it('reads Basic credentials as UTF-8, splitting at the first colon', () => {
    expect(parseCredentials(basic('jürgen:pa:ss'))).toEqual({
      scheme: 'basic',
      username: 'jürgen',
      password: 'pa:ss',
    });
    expect(parseCredentials(basic('bob:'))).toEqual({
      scheme: 'basic',
      username: 'bob',
      password: '',
    });
  });

  it('takes the scheme in any case and tolerates extra blanks', () => {
    expect(parseCredentials(basic('bob:x').replace('Basic', 'BASIC'))).toMatchObject({ username: 'bob' });
    expect(parseCredentials(basic('bob:x').replace(' ', '   '))).toMatchObject({
      username: 'bob',
    });
  });

  it('reads Bearer tokens (RFC 6750 b64token)', () => {
    expect(parseCredentials('Bearer abc-DEF._~+/==')).toEqual({
      scheme: 'bearer',
      token: 'abc-DEF._~+/==',
    });
    expect(parseCredentials('bearer t')).toEqual({ scheme: 'bearer', token: 't' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['scheme only', 'Basic'],
    ['a Bearer scheme only', 'Bearer'],
    ['no credentials', 'Basic '],
    ['not base64', 'Basic !!!'],
    ['base64 of wrong length', 'Basic Ym9iOng'],
    ['no colon', basic('bob')],
    ['empty user', basic(':secret')],
    ['a control character', basic('bob:se\u0000cret')],
    ['DEL', basic('bob:se\u007fcret')],
    ['not UTF-8', `Basic ${Buffer.from([0x62, 0x3a, 0xc3, 0x28]).toString('base64')}`],
    ['unknown scheme', 'Digest username="bob"'],
    ['a bearer token with spaces', 'Bearer a b'],
    ['a bearer token with a quote', 'Bearer "a"'],
    ['a bearer token too long', `Bearer ${'a'.repeat(5000)}`],
    ['padded base64 of a wrong length', 'Basic YWJj='],
    ['too long', basic(`bob:${'x'.repeat(4000)}`)],
  ])('refuses %s', (_name, header) => {
    expect(parseCredentials(header)).toBeUndefined();
  });

  it('round-trips any user name without colon or control characters, and any password', () => {
    // eslint-disable-next-line no-control-regex -- the oracle: credentials without control characters round-trip
    const printable = (s: string) => !/[\x00-\x1f\x7f]/.test(s);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((u) => !u.includes(':') && printable(u)),
        fc.string({ maxLength: 40, unit: 'grapheme' }).filter(printable),
        (username, password) => {
          expect(parseCredentials(basic(`${username}:${password}`))).toEqual({
            scheme: 'basic',
            username,
            password,
          });
        },
      ),
    );
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        parseCredentials(header);
        parseCredentials(`Basic ${header}`);
      }),
    );
  });
});

describe('constantTimeEquals', () => {
  it('compares secrets of any lengths', () => {
    expect(constantTimeEquals('secret', 'secret')).toBe(true);
    expect(constantTimeEquals('secret', 'secre')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
    expect(constantTimeEquals('ä', 'a')).toBe(false);
  });
});

import { parseCredentials } from './credentials';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseCredentials', () => {
  it('reads Basic as UTF-8 (RFC 7617), splitting at the first colon, in any scheme case', () => {
    expect(parseCredentials(basic('zoë@x.org:p:w'))).toEqual({
      scheme: 'basic',
      username: 'zoë@x.org',
      password: 'p:w',
    });
    expect(parseCredentials(`bASIC  ${Buffer.from('a:b').toString('base64')} `)).toEqual({
      scheme: 'basic',
      username: 'a',
      password: 'b',
    });
  });

  it('reads Bearer b64tokens (RFC 6750 section 2.1), padding included', () => {
    expect(parseCredentials('Bearer abc-._~+/123==')).toEqual({ scheme: 'bearer', token: 'abc-._~+/123==' });
    expect(parseCredentials('bearer t')).toEqual({ scheme: 'bearer', token: 't' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['a scheme only', 'Bearer'],
    ['a token with a space', 'Bearer a b'],
    ['a token with a quote', 'Bearer "a"'],
    ['another scheme', 'Digest abc'],
    ['bad base64', 'Basic %%%'],
    ['base64 of a wrong length', 'Basic YWJj='],
    ['no colon', basic('nocolon')],
    ['an empty user', basic(':pw')],
    ['a control character', basic('a:b\u0000')],
    ['bytes that are not UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`],
    ['too long', `Bearer ${'a'.repeat(5000)}`],
  ])('refuses %s', (_name, header) => {
    expect(parseCredentials(header)).toBeUndefined();
  });
});

import { pushUrlProblem } from './push-url';

describe('pushUrlProblem (RFC 8620 section 7.2: url "MUST begin with https://")', () => {
  it.each([
    'https://push.example/endpoint',
    'https://fcm.googleapis.com/fcm/send/abc:APA91b',
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAA?x=1',
    'https://[2001:db8::1]:8443/push',
    'https://127.0.0.1:4430/p',
  ])('accepts %s', (url) => {
    expect(pushUrlProblem(url, 2_048)).toBeUndefined();
  });

  it.each([
    ['http://push.example/endpoint', 'begin with https://'],
    ['HTTPS://push.example/endpoint', 'begin with https://'],
    ['//push.example/endpoint', 'begin with https://'],
    [' https://push.example/endpoint', 'begin with https://'],
    ['https://push.example/a b', 'spaces or control'],
    ['https://push.example/a\tb', 'spaces or control'],
    ['https://push.example/\n', 'spaces or control'],
    ['https://', 'not a valid absolute URL'],
    ['https://exa mple/', 'spaces or control'],
    ['https://[::1/', 'not a valid absolute URL'],
    ['https://user:secret@push.example/endpoint', 'user name or password'],
    ['https://user@push.example/endpoint', 'user name or password'],
  ])('refuses %p', (url, reason) => {
    expect(pushUrlProblem(url, 2_048)).toContain(reason);
  });

  it('refuses a URL longer than the limit, and takes one exactly at it', () => {
    const base = 'https://push.example/';
    const atLimit = base + 'a'.repeat(100 - base.length);
    expect(pushUrlProblem(atLimit, 100)).toBeUndefined();
    expect(pushUrlProblem(`${atLimit}a`, 100)).toContain('longer than 100');
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, {}, ['https://push.example/']]) {
      expect(pushUrlProblem(value, 2_048)).toBe('url must be a string');
    }
  });
});

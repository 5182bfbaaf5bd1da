import type { Authenticator } from './auth/authenticator.interface';
import { JmapPushConfigError } from './errors/jmap-push-config.error';
import { DEFAULT_PUSH_TYPES } from './jmap-push.constants';
import { resolvePushSettings } from './push-settings';

const authenticator: Authenticator = { authenticateBasic: () => null };

describe('resolvePushSettings', () => {
  it('fills in the documented defaults', () => {
    expect(resolvePushSettings({ authenticator })).toMatchObject({
      types: DEFAULT_PUSH_TYPES,
      realm: 'JMAP',
      minPingSeconds: 5,
      maxPingSeconds: 300,
      maxStreams: 20_000,
      maxStreamsPerPrincipal: 32,
      retryAfterSeconds: 5,
      reconnectDelayMs: 2_000,
      historySize: 10_000,
      authenticationTimeoutMs: 5_000,
    });
  });

  it('adds host types once, after the defaults', () => {
    const { types } = resolvePushSettings({
      authenticator,
      types: ['CalendarEvent', 'Email', 'CalendarEvent'],
    });
    expect(types).toEqual([...DEFAULT_PUSH_TYPES, 'CalendarEvent']);
  });

  it('accepts the RFC 8620 extremes: min 30, max 300', () => {
    expect(resolvePushSettings({ authenticator, ping: { min: 30, max: 300 } })).toMatchObject({
      minPingSeconds: 30,
      maxPingSeconds: 300,
    });
  });

  it.each<[string, object, RegExp]>([
    ['no authenticator', { authenticator: undefined }, /authenticator/],
    ['an authenticator without authenticateBasic', { authenticator: {} }, /authenticator/],
    ['ping.min above 30', { ping: { min: 31 } }, /ping\.min 31 exceeds 30/],
    ['ping.max below 300', { ping: { max: 299 } }, /ping\.max 299 is below 300/],
    ['ping.min 0', { ping: { min: 0 } }, /ping\.min/],
    ['a fractional ping.max', { ping: { max: 300.5 } }, /ping\.max/],
    ['maxStreams 0', { maxStreams: 0 }, /maxStreams/],
    ['maxStreamsPerPrincipal -1', { maxStreamsPerPrincipal: -1 }, /maxStreamsPerPrincipal/],
    ['historySize NaN', { historySize: Number.NaN }, /historySize/],
    ['retryAfterSeconds 0', { retryAfterSeconds: 0 }, /retryAfterSeconds/],
    ['a realm with a quote', { realm: 'a"b' }, /realm/],
    ['a realm with a newline', { realm: 'a\nb' }, /realm/],
    ['a type name that is no name', { types: ['Calendar Event'] }, /not a JMAP type name/],
    ['a type name starting with a digit', { types: ['1Event'] }, /not a JMAP type name/],
    ['a short browser session secret', { browserSessions: { secret: 'short' } }, /browserSessions\.secret/],
    [
      'a fractional browser session lifetime',
      { browserSessions: { secret: 'x'.repeat(32), ttlSeconds: 0.5 } },
      /browserSessions\.ttlSeconds/,
    ],
  ])('refuses %s at startup', (_name, options, message) => {
    expect(() => resolvePushSettings({ authenticator, ...options })).toThrow(message);
    expect(() => resolvePushSettings({ authenticator, ...options })).toThrow(JmapPushConfigError);
  });
});

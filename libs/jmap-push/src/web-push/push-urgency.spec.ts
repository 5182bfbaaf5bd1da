import { urgencyOf } from './push-urgency';
import { resolveWebPushSettings } from './web-push-settings';
import { vapidKeys } from './push-subscription-methods.fixture';

describe('urgencyOf (RFC 8030 section 5.3)', () => {
  const settings = resolveWebPushSettings({
    vapid: vapidKeys(),
    urgency: { EmailDelivery: 'high', Mailbox: 'low', Thread: 'very-low' },
    defaultUrgency: 'normal',
  });

  it('is the urgency of the type when one type changed, and defaultUrgency for a type without one', () => {
    expect(urgencyOf({ a: { Mailbox: 'm1' } }, settings)).toBe('low');
    expect(urgencyOf({ a: { Thread: 't1' } }, settings)).toBe('very-low');
    expect(urgencyOf({ a: { Email: 'e1' } }, settings)).toBe('normal');
  });

  it('is the highest of every changed type, across accounts', () => {
    expect(urgencyOf({ a: { Thread: 't1', Mailbox: 'm1' } }, settings)).toBe('low');
    expect(urgencyOf({ a: { Mailbox: 'm1' }, b: { EmailDelivery: 'd1' } }, settings)).toBe('high');
    expect(urgencyOf({ a: { Thread: 't1' }, b: { Email: 'e1' } }, settings)).toBe('normal');
  });

  it('is defaultUrgency when nothing changed', () => {
    expect(urgencyOf({}, settings)).toBe('normal');
    expect(urgencyOf({ a: {} }, settings)).toBe('normal');
  });
});

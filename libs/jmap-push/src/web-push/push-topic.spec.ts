import { isValidTopic, topicFor } from './push-topic';

describe('topicFor', () => {
  it('is 32 base64url characters (RFC 8030 section 5.4), whatever the id', () => {
    for (const id of ['a', 'ps-1', 'x'.repeat(10_000), 'ünïcødé', '']) {
      const topic = topicFor(id);
      expect(topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(isValidTopic(topic)).toBe(true);
    }
  });

  it('is the same for one subscription and differs between two', () => {
    expect(topicFor('ps-1')).toBe(topicFor('ps-1'));
    expect(topicFor('ps-1')).not.toBe(topicFor('ps-2'));
  });

  it('does not carry the subscription id', () => {
    expect(topicFor('abcdefgh')).not.toContain('abcdefgh');
  });
});

describe('isValidTopic', () => {
  it.each(['a', 'A-z_9', 'x'.repeat(32)])('accepts %j', (topic) => {
    expect(isValidTopic(topic)).toBe(true);
  });

  it.each(['', 'x'.repeat(33), 'has space', 'pad=', 'plus+', 'slash/', 'ü', 'line\n'])('refuses %j', (topic) => {
    expect(isValidTopic(topic)).toBe(false);
  });
});

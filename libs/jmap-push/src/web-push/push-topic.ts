import { createHash } from 'node:crypto';

// RFC 8030 section 5.4: "no more than 32 characters from the URL and filename-safe Base 64 alphabet".
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The `Topic` of every push to one subscription (RFC 8030 section 5.4): a push with a topic replaces an
 * undelivered one with the same topic, and a JMAP StateChange makes the one before it stale, so a device
 * that was offline gets the newest push only. It is a hash of the subscription id, 32 base64url
 * characters (192 bits), because the push service sees it in the clear (section 5.4: it "is neither
 * encrypted nor authenticated") and needs no id of ours.
 */
export function topicFor(subscriptionId: string): string {
  return createHash('sha256').update(subscriptionId, 'utf8').digest('base64url').slice(0, 32);
}

/** Whether `topic` is a `Topic` a push service must accept (RFC 8030 section 5.4), else it answers 400. */
export function isValidTopic(topic: string): boolean {
  return TOPIC.test(topic);
}

// TEMPORARY STUB (wt-delivery): replaced by wt-sender's topicFor when it lands.
import { createHash } from 'node:crypto';

export function topicFor(subscriptionId: string): string {
  return createHash('sha256').update(subscriptionId).digest('base64url').slice(0, 32);
}

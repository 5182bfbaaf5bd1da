import type { PushSubscriptionStore, VapidKeys, WebPushOptions } from 'jmap-push';
import { generateVAPIDKeys } from 'web-push';
import type { ServerConfig } from '../config/server-config';

/** The module's `webPush` option, and whether its VAPID keys were made up at this boot. */
export interface ServerWebPush {
  readonly options: WebPushOptions;
  /** No `WEB_PUSH_VAPID_*` keys were configured: a pair was generated, valid for this process only. */
  readonly generatedKeys: boolean;
}

/**
 * Why generated keys are for one development process only. RFC 8292 section 4: a browser subscribes with
 * the application server's public key, and its push service accepts only pushes signed with that key.
 */
export const GENERATED_VAPID_KEYS_WARNING =
  'WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY are not set: Web Push signs with a key pair generated at this boot (development only). ' +
  'A push subscription is restricted to the key the browser subscribed with (RFC 8292 section 4), so a restart with new keys makes every browser subscription unusable, ' +
  'and push services refuse the pushes of a node that signs with a key of its own: give every node the same pair (`npx web-push generate-vapid-keys`).';

/**
 * PushSubscription over Web Push, as configured: the `WEB_PUSH_*` keys (or a pair generated now),
 * subject, allowed internal hosts and quota. `store` is the shared one when the server runs on Redis.
 * No `ca` is given, so push services are trusted as Node trusts any server: its root certificates plus
 * `NODE_EXTRA_CA_CERTS` (a private relay's CA goes there).
 */
export function serverWebPush(config: ServerConfig, store: PushSubscriptionStore | undefined): ServerWebPush {
  const { vapid, subject, allowHosts, maxSubscriptionsPerCredential } = config.webPush;
  const pair = vapid ?? generateVAPIDKeys();
  const keys: VapidKeys = { publicKey: pair.publicKey, privateKey: pair.privateKey, subject };
  return {
    options: {
      vapid: keys,
      allowHosts,
      ...(store && { store }),
      ...(maxSubscriptionsPerCredential !== undefined && { maxSubscriptionsPerCredential }),
    },
    generatedKeys: vapid === null,
  };
}

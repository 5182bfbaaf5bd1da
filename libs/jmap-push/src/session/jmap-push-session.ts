import { Inject, Injectable } from '@nestjs/common';
import { PUSH_EXTRAS, PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { JmapPushModuleExtras } from '../jmap-push-options.interface';
import type { PushSettings } from '../push-settings';

/** The capability URI of JMAP over WebSocket (RFC 8887 section 3). */
export const WEBSOCKET_CAPABILITY = 'urn:ietf:params:jmap:websocket';

/** The capability URI of VAPID for JMAP Web Push (RFC 9749 section 3). */
export const WEBPUSH_VAPID_CAPABILITY = 'urn:ietf:params:jmap:webpush-vapid';

/** What the host's Session resource (RFC 8620 section 2) needs from the module. */
@Injectable()
export class JmapPushSession {
  constructor(
    @Inject(PUSH_EXTRAS) private readonly extras: Required<JmapPushModuleExtras>,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  /**
   * The Session's `eventSourceUrl`: a level-1 URI Template with the `types`, `closeafter` and `ping`
   * variables RFC 8620 section 7.3 requires, e.g. `https://h/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}`.
   */
  eventSourceUrl(baseUrl: string): string {
    return `${trimmed(baseUrl)}/${this.extras.path}?types={types}&closeafter={closeafter}&ping={ping}`;
  }

  /**
   * The value of the Session's `urn:ietf:params:jmap:websocket` capability (RFC 8887 section 3), with
   * the `ws:`/`wss:` URL of the endpoint for an `http:`/`https:` base URL; `undefined` when the
   * `webSocket` option is off (the capability must then be left out).
   */
  webSocketCapability(baseUrl: string): { url: string; supportsPush: true } | undefined {
    const webSocket = this.settings.webSocket;
    if (!webSocket) return undefined;
    return { url: `${trimmed(baseUrl).replace(/^http/i, 'ws')}/${webSocket.path}`, supportsPush: true };
  }

  /**
   * The value of the Session's `urn:ietf:params:jmap:webpush-vapid` capability (RFC 9749 section 3):
   * the VAPID public key a client passes to `PushManager.subscribe()` as `applicationServerKey`;
   * `undefined` when the `webPush` option is off (the capability must then be left out). A client that
   * sees it change re-subscribes (RFC 9749 section 5): subscriptions made under the old key are destroyed.
   */
  webPushVapidCapability(): { applicationServerKey: string } | undefined {
    const webPush = this.settings.webPush;
    return webPush && { applicationServerKey: webPush.vapid.publicKey };
  }
}

function trimmed(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

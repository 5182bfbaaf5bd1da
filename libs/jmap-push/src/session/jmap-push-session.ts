import { Inject, Injectable } from '@nestjs/common';
import { PUSH_EXTRAS, PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { JmapPushModuleExtras } from '../jmap-push-options.interface';
import type { PushSettings } from '../push-settings';

/** The capability URI of JMAP over WebSocket (RFC 8887 section 3). */
export const WEBSOCKET_CAPABILITY = 'urn:ietf:params:jmap:websocket';

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
}

function trimmed(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

import { Inject, Injectable } from '@nestjs/common';
import { PUSH_EXTRAS } from '../jmap-push.internal-constants';
import type { JmapPushModuleExtras } from '../jmap-push-options.interface';

/** What the host's Session resource (RFC 8620 section 2) needs from the module. */
@Injectable()
export class JmapPushSession {
  constructor(@Inject(PUSH_EXTRAS) private readonly extras: Required<JmapPushModuleExtras>) {}

  /**
   * The Session's `eventSourceUrl`: a level-1 URI Template with the `types`, `closeafter` and `ping`
   * variables RFC 8620 section 7.3 requires, e.g. `https://h/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}`.
   */
  eventSourceUrl(baseUrl: string): string {
    const base = baseUrl.replace(/\/+$/, '');
    const path = this.extras.path;
    return `${base}/${path}?types={types}&closeafter={closeafter}&ping={ping}`;
  }
}

import type { TypeState } from '../state/type-state';
import type { PushUrgency } from './web-push-options.interface';
import type { WebPushSettings } from './web-push-settings';

/** RFC 8030 section 5.3's values, least urgent first. */
const ORDER: readonly PushUrgency[] = ['very-low', 'low', 'normal', 'high'];

/**
 * The `Urgency` of a StateChange: the highest of its changed types' (`urgency` by type, else
 * `defaultUrgency`), so a new message (`EmailDelivery: high`) wakes a device even when it travels with
 * a Mailbox change that alone could wait for power or Wi-Fi.
 */
export function urgencyOf(changes: Readonly<Record<string, TypeState>>, settings: WebPushSettings): PushUrgency {
  let highest = -1;
  for (const states of Object.values(changes)) {
    for (const type of Object.keys(states)) {
      highest = Math.max(highest, ORDER.indexOf(settings.urgency[type] ?? settings.defaultUrgency));
    }
  }
  return highest < 0 ? settings.defaultUrgency : ORDER[highest];
}

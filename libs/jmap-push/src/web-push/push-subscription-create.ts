import type { PushKeys } from './push-subscription';
import { readPushKeys } from './push-keys';
import {
  grantExpires,
  PropertyProblems,
  PUSH_SUBSCRIPTION_PROPERTIES,
  readDeviceClientId,
  readExpires,
  readTypes,
  type PropertyRules,
} from './push-subscription-properties';
import { pushUrlProblem } from './push-url';
import { quoted } from './quoted-names';
import { formatUtcDate } from './utc-date';

/** A create of `PushSubscription/set`, checked: what the client may set, and what `created` echoes. */
export interface PushSubscriptionCreate {
  readonly deviceClientId: string;
  readonly url: string;
  readonly keys: PushKeys | null;
  readonly expires: number;
  readonly types: readonly string[] | null;
  /**
   * What `created` returns besides `id` (RFC 8620 section 5.3): the properties the client omitted, set
   * to their defaults, and `expires` when the server chose or cut it. Never `url` or `keys`.
   */
  readonly echo: Record<string, unknown>;
}

const KNOWN: ReadonlySet<string> = new Set(PUSH_SUBSCRIPTION_PROPERTIES);

/**
 * Reads one create (RFC 8620 section 7.2.2); throws an `invalidProperties` SetError naming every bad
 * property. `deviceClientId` and `url` are required, `verificationCode` must be null or omitted (the
 * server makes it), `id` is the server's.
 */
export function readCreate(props: Record<string, unknown>, rules: PropertyRules): PushSubscriptionCreate {
  const problems = new PropertyProblems();
  for (const property of Object.keys(props)) {
    if (!KNOWN.has(property)) problems.add(property, `${quoted([property])} is not a PushSubscription property`);
  }
  if ('id' in props) problems.add('id', 'id is set by the server');
  if (props.verificationCode !== undefined && props.verificationCode !== null) {
    problems.add('verificationCode', 'verificationCode must be null or omitted when the subscription is created');
  }
  const deviceClientId = readDeviceClientId(props.deviceClientId, problems);
  const urlProblem = pushUrlProblem(props.url, rules.maxUrlLength);
  if (urlProblem) problems.add('url', urlProblem);
  const keysReading = props.keys === undefined ? { keys: null } : readPushKeys(props.keys);
  if ('invalid' in keysReading) problems.add('keys', keysReading.invalid);
  const types = props.types === undefined ? null : readTypes(props.types, rules.types, problems);
  const requested = readExpires(props.expires ?? null, rules.now, problems);
  problems.check();
  if (deviceClientId === undefined || types === undefined || requested === undefined || 'invalid' in keysReading) {
    throw new Error('readCreate: a property was refused without saying why'); // a bug: answered serverFail
  }
  const grant = grantExpires(requested, rules);
  const echo: Record<string, unknown> = {};
  if (props.keys === undefined) echo.keys = null;
  if (props.verificationCode === undefined) echo.verificationCode = null;
  if (props.types === undefined) echo.types = null;
  if (grant.chosenByServer) echo.expires = formatUtcDate(grant.expires);
  return { deviceClientId, url: props.url as string, keys: keysReading.keys, expires: grant.expires, types, echo };
}

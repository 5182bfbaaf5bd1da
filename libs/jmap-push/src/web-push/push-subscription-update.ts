import { constantTimeEquals } from '../auth/constant-time-equals';
import type { PushSubscriptionChanges, StoredPushSubscription } from './push-subscription';
import { PushSubscriptionSetError } from './push-subscription-errors';
import { readPushKeys, samePushKeys } from './push-keys';
import {
  grantExpires,
  PropertyProblems,
  PUSH_SUBSCRIPTION_PROPERTIES,
  readExpires,
  readTypes,
  type PropertyRules,
} from './push-subscription-properties';
import { quoted } from './quoted-names';
import { formatUtcDate } from './utc-date';
import { isVerificationCode } from './verification-code';

/** An update of `PushSubscription/set`, checked: what to store, and what `updated` echoes. */
export interface PushSubscriptionUpdate {
  readonly changes: PushSubscriptionChanges;
  /** RFC 8620 section 5.3: the properties that changed "in a way not explicitly requested", or null. */
  readonly echo: Record<string, unknown> | null;
}

const KNOWN: ReadonlySet<string> = new Set(PUSH_SUBSCRIPTION_PROPERTIES);
const IMMUTABLE_HINT = 'destroy the subscription and create a new one to change it';

/**
 * Reads one PatchObject against the subscription as stored (RFC 8620 section 7.2.2); throws a SetError.
 *
 * `id`, `deviceClientId`, `url` and `keys` are immutable: sending one back unchanged is allowed (RFC
 * 8620 section 5.3 lets clients pass whole objects back), any other value is `invalidProperties`.
 * `url` and `keys` are compared in constant time. A right `verificationCode` verifies the subscription,
 * a wrong one is `invalidProperties`, as section 7.2.2 requires; `null` is what `/get` shows until then.
 */
export function readUpdate(
  current: StoredPushSubscription,
  patch: Record<string, unknown>,
  rules: PropertyRules,
): PushSubscriptionUpdate {
  const problems = new PropertyProblems();
  const changes: { -readonly [K in keyof PushSubscriptionChanges]: PushSubscriptionChanges[K] } = {};
  let expiresGiven = false;
  let requestedExpires: number | null | undefined;
  for (const [path, value] of Object.entries(patch)) {
    const slash = path.indexOf('/');
    const property = slash < 0 ? path : path.slice(0, slash);
    if (!KNOWN.has(property)) {
      problems.add(property, `${quoted([property])} is not a PushSubscription property`);
      continue;
    }
    if (slash >= 0) {
      if (property === 'keys') problems.add('keys', `keys are immutable: ${IMMUTABLE_HINT}`);
      // Every other property is a string, a date or an array: RFC 8620 section 5.3 patches no array members.
      else
        throw new PushSubscriptionSetError('invalidPatch', `${quoted([path])} does not point into a patchable object`);
      continue;
    }
    switch (property) {
      case 'id':
        if (value !== current.id) problems.add('id', 'id is immutable');
        break;
      case 'deviceClientId':
        if (value !== current.deviceClientId)
          problems.add('deviceClientId', `deviceClientId is immutable: ${IMMUTABLE_HINT}`);
        break;
      case 'url':
        if (typeof value !== 'string' || !constantTimeEquals(value, current.url)) {
          problems.add('url', `url is immutable: ${IMMUTABLE_HINT}`);
        }
        break;
      case 'keys': {
        const reading = readPushKeys(value);
        if ('invalid' in reading || !samePushKeys(reading.keys, current.keys)) {
          problems.add('keys', `keys are immutable: ${IMMUTABLE_HINT}`);
        }
        break;
      }
      case 'verificationCode':
        if (typeof value === 'string') {
          if (!isVerificationCode(current.verificationCode, value)) {
            problems.add('verificationCode', 'the verification code does not match');
          } else if (!current.verified) {
            changes.verified = true;
          }
        } else if (value !== null || current.verified) {
          problems.add('verificationCode', 'verificationCode must be the code the PushVerification carried');
        }
        break;
      case 'expires':
        expiresGiven = true;
        requestedExpires = readExpires(value, rules.now, problems);
        break;
      case 'types': {
        const types = readTypes(value, rules.types, problems);
        if (types !== undefined) changes.types = types;
        break;
      }
    }
  }
  problems.check();
  let echo: Record<string, unknown> | null = null;
  if (expiresGiven && requestedExpires !== undefined) {
    const grant = grantExpires(requestedExpires, rules);
    changes.expires = grant.expires;
    if (grant.chosenByServer) echo = { expires: formatUtcDate(grant.expires) };
  }
  return { changes, echo };
}

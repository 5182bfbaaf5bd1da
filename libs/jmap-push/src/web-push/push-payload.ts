import type { ChangedAccounts, StateChange, TypeState } from '../state/type-state';

/**
 * The most UTF-8 JSON octets one push may carry. RFC 8291 section 4: a push service must accept 4096
 * octets of body, which "equates to at most 3993 octets of plaintext" once the aes128gcm header (86),
 * the padding delimiter (1) and the tag (16) are taken off. Plaintext pushes keep the same bound, so a
 * subscription's pushes do not change shape with its keys, and a relay passing them on to an encrypted
 * channel has the same room.
 */
export const MAX_PUSH_PAYLOAD_OCTETS = 3993;

/** RFC 8620 section 7.2.2: the first push to a new subscription; the client sets the code to verify it. */
export interface PushVerification {
  readonly '@type': 'PushVerification';
  readonly pushSubscriptionId: string;
  readonly verificationCode: string;
}

/** One state a StateChange could not carry: its account id and type name alone exceed the budget. */
export interface OmittedState {
  readonly accountId: string;
  readonly type: string;
}

/** A StateChange cut into pushes that each fit (see `splitStateChange`). */
export interface StateChangeSplit {
  /** The pushes, each within the budget; none when nothing changed. */
  readonly bodies: readonly StateChange[];
  /** States no push can carry (an account id or type name of kilobytes); to be logged and counted. */
  readonly omitted: readonly OmittedState[];
}

/** The PushVerification body for a subscription (RFC 8620 section 7.2.2). */
export function pushVerification(pushSubscriptionId: string, verificationCode: string): PushVerification {
  return { '@type': 'PushVerification', pushSubscriptionId, verificationCode };
}

/** The octets a body takes on the wire before encryption: its UTF-8 JSON. */
export function payloadOctets(body: object): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

// `{"@type":"StateChange","changed":{}}`: what every body costs before its first account.
const EMPTY_STATE_CHANGE_OCTETS = payloadOctets({ '@type': 'StateChange', changed: {} });

interface Draft {
  readonly accounts: Map<string, TypeState>;
  octets: number;
}

/**
 * Cuts a StateChange (RFC 8620 section 7.1) into bodies of at most `maxOctets` UTF-8 JSON octets each:
 * whole accounts, packed first-fit in their order. An account whose states alone exceed the budget is cut
 * by type into several bodies (never two parts of one account in one body: JSON names must be unique), so
 * each body is still a StateChange the client reads the usual way: for every type named, fetch what
 * changed. A single state that cannot fit even alone is left out and returned in `omitted`.
 */
export function splitStateChange(changed: ChangedAccounts, maxOctets = MAX_PUSH_PAYLOAD_OCTETS): StateChangeSplit {
  const drafts: Draft[] = [];
  const omitted: OmittedState[] = [];
  for (const [accountId, states] of Object.entries(changed)) {
    // An account with no state to tell is nothing to push.
    if (Object.keys(states).length === 0) continue;
    for (const part of accountParts(accountId, states, maxOctets, omitted)) {
      place(drafts, accountId, part, maxOctets);
    }
  }
  const bodies = drafts.map((draft): StateChange => ({
    '@type': 'StateChange',
    changed: Object.fromEntries(draft.accounts),
  }));
  return { bodies, omitted };
}

/** An account's states as one part when they fit a body alone, else cut by type into parts that do. */
function accountParts(accountId: string, states: TypeState, maxOctets: number, omitted: OmittedState[]): TypeState[] {
  if (EMPTY_STATE_CHANGE_OCTETS + entryOctets(accountId, states) <= maxOctets) return [states];
  // `"accountId":{}` inside an otherwise empty body: what a part costs before its first type.
  const bare = EMPTY_STATE_CHANGE_OCTETS + entryOctets(accountId, {});
  const parts: Array<Array<[string, string]>> = [];
  let current: Array<[string, string]> = [];
  let octets = bare;
  for (const [type, state] of Object.entries(states)) {
    const pair = Buffer.byteLength(`${JSON.stringify(type)}:${JSON.stringify(state)}`, 'utf8');
    if (bare + pair > maxOctets) {
      omitted.push({ accountId, type });
      continue;
    }
    // A fresh part always has room: bare + pair fits, checked above.
    if (current.length > 0 && octets + 1 + pair > maxOctets) {
      parts.push(current);
      current = [];
      octets = bare;
    }
    octets += (current.length === 0 ? 0 : 1) + pair;
    current.push([type, state]);
  }
  if (current.length > 0) parts.push(current);
  return parts.map((pairs) => Object.fromEntries(pairs));
}

/** Puts one account part into the first body with room that does not hold that account yet. */
function place(drafts: Draft[], accountId: string, states: TypeState, maxOctets: number): void {
  const entry = entryOctets(accountId, states);
  for (const draft of drafts) {
    if (draft.accounts.has(accountId)) continue;
    // A comma before every entry but the first.
    const added = entry + (draft.accounts.size === 0 ? 0 : 1);
    if (draft.octets + added <= maxOctets) {
      draft.accounts.set(accountId, states);
      draft.octets += added;
      return;
    }
  }
  drafts.push({ accounts: new Map([[accountId, states]]), octets: EMPTY_STATE_CHANGE_OCTETS + entry });
}

/** The octets of `"accountId":{...states}` as JSON.stringify writes it inside `changed`. */
function entryOctets(accountId: string, states: TypeState): number {
  return Buffer.byteLength(`${JSON.stringify(accountId)}:${JSON.stringify(states)}`, 'utf8');
}

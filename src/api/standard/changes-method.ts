import type { MailAccount } from '../../store/mail-account';
import type { ArgumentReader } from '../argument-reader';
import { DEFAULT_MAX_CHANGES } from '../capabilities';
import { MethodError } from '../method-error';

/** A standard `/changes` (RFC 8620 section 5.2) over the account's change log of one type. */
export function computeChanges(
  account: MailAccount,
  type: 'Mailbox' | 'Email' | 'Thread',
  reader: ArgumentReader,
): { response: Record<string, unknown>; onlyCountsUpdated: boolean } {
  const sinceState = reader.requiredString('sinceState');
  const maxChanges = reader.unsignedInt('maxChanges', { positive: true }) ?? DEFAULT_MAX_CHANGES;
  const window = account.changesSince(type, sinceState, maxChanges);
  if (!window) {
    throw new MethodError('cannotCalculateChanges', `cannot calculate ${type} changes from state "${sinceState}"`);
  }
  return {
    response: {
      accountId: account.accountId,
      oldState: sinceState,
      newState: window.newState,
      hasMoreChanges: window.hasMoreChanges,
      created: window.created,
      updated: window.updated,
      destroyed: window.destroyed,
    },
    onlyCountsUpdated: window.onlyCountsUpdated,
  };
}

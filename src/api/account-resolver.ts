import type { MailAccount } from '../store/mail-account';
import type { MailStore } from '../store/mail-store.service';
import type { MethodContext } from './method-context';
import { MethodError } from './method-error';

/**
 * The account a call names, if the user may use it: `accountNotFound` for accounts that do not exist
 * or that the user may not see (the two are not told apart), `accountReadOnly` for writes to a share.
 */
export function resolveAccount(
  store: MailStore,
  context: MethodContext,
  accountId: string,
  access: 'read' | 'write',
): MailAccount {
  const grant = context.user.accounts.get(accountId);
  const account = grant && store.account(accountId);
  if (!grant || !account) throw new MethodError('accountNotFound', `no account "${accountId}" for this user`);
  if (access === 'write' && grant.isReadOnly)
    throw new MethodError('accountReadOnly', `account "${accountId}" is read-only`);
  return account;
}

/** An id argument, with `#creationId` replaced by the id created earlier in the request (RFC 8620 section 5.3). */
export function resolveCreationRef(context: MethodContext, id: string): string | undefined {
  if (!id.startsWith('#')) return id;
  return context.createdIds.get(id.slice(1));
}

import type { MailStore } from '../../store/mail-store.service';
import { resolveAccount } from '../account-resolver';
import { ArgumentReader } from '../argument-reader';
import type { MethodContext } from '../method-context';
import { MethodError } from '../method-error';

/** The arguments every `/queryChanges` takes (RFC 8620 section 5.6). */
const QUERY_CHANGES_ARGUMENTS = [
  'accountId',
  'filter',
  'sort',
  'sinceQueryState',
  'maxChanges',
  'upToId',
  'calculateTotal',
];

/**
 * `/queryChanges` for a server that keeps no query history: the call is checked as any `/queryChanges`
 * (unknown arguments, the account, `sinceQueryState`), then answered `cannotCalculateChanges`, which
 * RFC 8620 section 5.6 allows; clients then run `/query` again.
 */
export function refuseQueryChanges(
  store: MailStore,
  args: Record<string, unknown>,
  context: MethodContext,
  type: 'Mailbox' | 'Email',
  typeArguments: readonly string[],
): never {
  const reader = new ArgumentReader(args, [...QUERY_CHANGES_ARGUMENTS, ...typeArguments]);
  resolveAccount(store, context, reader.requiredString('accountId'), 'read');
  reader.requiredString('sinceQueryState');
  throw new MethodError('cannotCalculateChanges', `this server does not keep query history; run ${type}/query again`);
}

import { resolveCreationRef } from '../../api/account-resolver';
import type { MethodContext } from '../../api/method-context';
import { invalidProperties, SetError } from '../../api/method-error';
import type { MailAccount } from '../../store/mail-account';
import type { EmailRecord } from '../../store/mail-model';
import { parseKeywords } from './email-create';
import { normalizeKeyword } from './email-fields';

/**
 * Applies an Email/set update (RFC 8621 section 4.6): only `keywords` and `mailboxIds` change, either
 * whole (`"keywords": {...}`) or one member at a time (`"keywords/$seen": true | null`). An Email must
 * keep at least one Mailbox.
 */
export function updateEmail(
  account: MailAccount,
  context: MethodContext,
  email: EmailRecord,
  patch: Record<string, unknown>,
): void {
  let keywords = new Set(email.keywords);
  let mailboxIds = new Set(email.mailboxIds);
  const invalid = new Set<string>();
  const paths = Object.keys(patch);
  // RFC 8620 section 5.3: no patch may be the prefix of another ("keywords" with "keywords/$seen").
  for (const path of paths) {
    if (paths.some((other) => other !== path && other.startsWith(`${path}/`))) {
      throw new SetError('invalidPatch', `"${path}" and a path inside it are both patched`);
    }
  }
  for (const [path, value] of Object.entries(patch)) {
    const [property, ...rest] = path.split('/');
    const member = rest.join('/').replace(/~1/g, '/').replace(/~0/g, '~');
    if (property === 'keywords' && rest.length === 0) {
      const parsed = parseKeywords(value);
      if (parsed) keywords = parsed;
      else invalid.add('keywords');
    } else if (property === 'keywords' && rest.length === 1) {
      const keyword = normalizeKeyword(member);
      if (keyword === undefined || (value !== true && value !== null)) invalid.add('keywords');
      else if (value === true) keywords.add(keyword);
      else keywords.delete(keyword);
    } else if (property === 'mailboxIds' && rest.length === 0) {
      const parsed = parseMailboxIdMap(account, context, value);
      if (parsed) mailboxIds = parsed;
      else invalid.add('mailboxIds');
    } else if (property === 'mailboxIds' && rest.length === 1) {
      const id = resolveCreationRef(context, member);
      if (id === undefined || (value !== true && value !== null) || (value === true && !account.mailbox(id)))
        invalid.add('mailboxIds');
      else if (value === true) mailboxIds.add(id);
      else mailboxIds.delete(id);
    } else if (rest.length > 0 && !['keywords', 'mailboxIds'].includes(property)) {
      throw new SetError('invalidPatch', `"${path}" does not point into a patchable object`);
    } else {
      // Every other Email property is immutable (RFC 8621 section 4.1).
      invalid.add(property);
    }
  }
  if (mailboxIds.size === 0) invalid.add('mailboxIds');
  if (invalid.size > 0)
    throw invalidProperties([...invalid], 'only keywords and mailboxIds can change; an Email needs a Mailbox');
  account.updateEmail(email.id, { keywords, mailboxIds });
}

function parseMailboxIdMap(account: MailAccount, context: MethodContext, value: unknown): Set<string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const ids = new Set<string>();
  for (const [key, flag] of Object.entries(value)) {
    const id = resolveCreationRef(context, key);
    if (flag !== true || id === undefined || !account.mailbox(id)) return undefined;
    ids.add(id);
  }
  return ids;
}

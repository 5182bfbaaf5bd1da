import { resolveCreationRef } from '../../api/account-resolver';
import type { ArgumentReader } from '../../api/argument-reader';
import { CORE_LIMITS } from '../../api/capabilities';
import type { MethodContext } from '../../api/method-context';
import { invalidArguments } from '../../api/method-error';
import {
  assertSupportedCondition,
  compareText,
  compileFilter,
  compileSort,
  type Matcher,
} from '../../api/standard/query-filter';
import { compareIds, type MailAccount } from '../../store/mail-account';
import type { EmailAddress, EmailRecord } from '../../store/mail-model';
import { normalizeKeyword, normalizeUtcDate } from './email-fields';

const CONDITIONS = [
  'inMailbox',
  'inMailboxOtherThan',
  'before',
  'after',
  'minSize',
  'maxSize',
  'allInThreadHaveKeyword',
  'someInThreadHaveKeyword',
  'noneInThreadHaveKeyword',
  'hasKeyword',
  'notKeyword',
  'hasAttachment',
  'text',
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'body',
] as const;

const received = (email: EmailRecord) => Date.parse(email.receivedAt);
const firstAddress = (list: readonly EmailAddress[] | null) => (list?.[0] ? (list[0].name ?? list[0].email) : '');

/** The ids Email/query matches, sorted, threads collapsed if asked (RFC 8621 section 4.4). */
export function queryEmails(account: MailAccount, reader: ArgumentReader, context: MethodContext): string[] {
  const matches = compileFilter<EmailRecord>(reader.raw('filter'), (condition) =>
    compileCondition(account, condition, context),
  );
  const compare = compileSort<EmailRecord>(
    reader.raw('sort'),
    {
      receivedAt: (a, b) => received(a) - received(b),
      sentAt: (a, b) => Date.parse(a.sentAt ?? a.receivedAt) - Date.parse(b.sentAt ?? b.receivedAt),
      size: (a, b) => a.size - b.size,
      from: (a, b) => compareText(firstAddress(a.from), firstAddress(b.from)),
      to: (a, b) => compareText(firstAddress(a.to), firstAddress(b.to)),
      subject: (a, b) => compareText(a.subject ?? '', b.subject ?? ''),
    },
    CORE_LIMITS.collationAlgorithms,
    // Without a sort: newest first, a stable order between calls.
    (a, b) => received(b) - received(a) || compareIds(b.id, a.id),
  );
  const sorted = account.emails().filter(matches).sort(compare);
  if (!reader.boolean('collapseThreads', false)) return sorted.map((email) => email.id);
  const seenThreads = new Set<string>();
  return sorted
    .filter((email) => !seenThreads.has(email.threadId) && seenThreads.add(email.threadId))
    .map((email) => email.id);
}

function compileCondition(
  account: MailAccount,
  condition: Record<string, unknown>,
  context: MethodContext,
): Matcher<EmailRecord> {
  assertSupportedCondition(condition, CONDITIONS);
  const tests: Matcher<EmailRecord>[] = [];
  const text = (name: string) => {
    const value = condition[name];
    if (typeof value !== 'string') throw invalidArguments(`filter "${name}" must be a string`);
    return value.toLowerCase();
  };
  const id = (name: string) => {
    const value = condition[name];
    if (typeof value !== 'string') throw invalidArguments(`filter "${name}" must be an id`);
    return resolveCreationRef(context, value) ?? value;
  };
  const keyword = (name: string) => {
    const value = typeof condition[name] === 'string' ? normalizeKeyword(condition[name]) : undefined;
    if (value === undefined) throw invalidArguments(`filter "${name}" must be a keyword`);
    return value;
  };
  const date = (name: string) => {
    const value = normalizeUtcDate(condition[name]);
    if (value === undefined) throw invalidArguments(`filter "${name}" must be a UTCDate`);
    return Date.parse(value);
  };
  const size = (name: string) => {
    const value = condition[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw invalidArguments(`filter "${name}" must be an UnsignedInt`);
    return value;
  };
  const threadKeywords = (email: EmailRecord) =>
    (account.thread(email.threadId)?.emailIds ?? []).map((id) => account.email(id)?.keywords ?? new Set<string>());
  const addresses = (list: readonly EmailAddress[] | null) =>
    (list ?? []).map((a) => `${a.name ?? ''} <${a.email}>`.toLowerCase()).join(', ');
  const bodyText = (email: EmailRecord) => [...email.bodyValues.values()].join('\n').toLowerCase();

  for (const name of Object.keys(condition)) {
    switch (name) {
      case 'inMailbox': {
        const mailboxId = id(name);
        tests.push((email) => email.mailboxIds.has(mailboxId));
        break;
      }
      case 'inMailboxOtherThan': {
        const list = condition[name];
        if (!Array.isArray(list) || !list.every((id) => typeof id === 'string'))
          throw invalidArguments('"inMailboxOtherThan" must be an array of ids');
        const excluded = new Set(list.map((id: string) => resolveCreationRef(context, id) ?? id));
        tests.push((email) => [...email.mailboxIds].some((id) => !excluded.has(id)));
        break;
      }
      case 'before': {
        const limit = date(name);
        tests.push((email) => received(email) < limit);
        break;
      }
      case 'after': {
        const limit = date(name);
        tests.push((email) => received(email) >= limit);
        break;
      }
      case 'minSize': {
        const limit = size(name);
        tests.push((email) => email.size >= limit);
        break;
      }
      case 'maxSize': {
        const limit = size(name);
        tests.push((email) => email.size < limit);
        break;
      }
      case 'hasKeyword': {
        const wanted = keyword(name);
        tests.push((email) => email.keywords.has(wanted));
        break;
      }
      case 'notKeyword': {
        const wanted = keyword(name);
        tests.push((email) => !email.keywords.has(wanted));
        break;
      }
      case 'allInThreadHaveKeyword': {
        const wanted = keyword(name);
        tests.push((email) => threadKeywords(email).every((set) => set.has(wanted)));
        break;
      }
      case 'someInThreadHaveKeyword': {
        const wanted = keyword(name);
        tests.push((email) => threadKeywords(email).some((set) => set.has(wanted)));
        break;
      }
      case 'noneInThreadHaveKeyword': {
        const wanted = keyword(name);
        tests.push((email) => !threadKeywords(email).some((set) => set.has(wanted)));
        break;
      }
      case 'hasAttachment': {
        if (typeof condition[name] !== 'boolean') throw invalidArguments('"hasAttachment" must be a boolean');
        const wanted = condition[name];
        tests.push((email) => email.attachments.length > 0 === wanted);
        break;
      }
      case 'from':
      case 'to':
      case 'cc':
      case 'bcc': {
        const needle = text(name);
        tests.push((email) => addresses(email[name]).includes(needle));
        break;
      }
      case 'subject': {
        const needle = text(name);
        tests.push((email) => (email.subject ?? '').toLowerCase().includes(needle));
        break;
      }
      case 'body': {
        const needle = text(name);
        tests.push((email) => bodyText(email).includes(needle));
        break;
      }
      case 'text': {
        const needle = text(name);
        tests.push((email) =>
          [
            (email.subject ?? '').toLowerCase(),
            addresses(email.from),
            addresses(email.to),
            addresses(email.cc),
            addresses(email.bcc),
            bodyText(email),
          ].some((field) => field.includes(needle)),
        );
        break;
      }
    }
  }
  return (email) => tests.every((test) => test(email));
}

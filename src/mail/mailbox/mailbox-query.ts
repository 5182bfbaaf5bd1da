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
  type Comparator,
  type Matcher,
} from '../../api/standard/query-filter';
import { compareIds, type MailAccount } from '../../store/mail-account';
import type { MailboxRecord } from '../../store/mail-model';

const CONDITIONS = ['parentId', 'name', 'role', 'hasAnyRole', 'isSubscribed'] as const;

/** The ids Mailbox/query matches, sorted (RFC 8621 section 2.3), before the window is applied. */
export function queryMailboxes(
  account: MailAccount,
  reader: ArgumentReader,
  context: MethodContext,
  isPersonal: boolean,
): string[] {
  const matches = compileFilter<MailboxRecord>(reader.raw('filter'), (condition) =>
    compileCondition(condition, context, isPersonal),
  );
  const compare = compileSort<MailboxRecord>(
    reader.raw('sort'),
    { sortOrder: (a, b) => a.sortOrder - b.sortOrder, name: (a, b) => compareText(a.name, b.name) },
    CORE_LIMITS.collationAlgorithms,
    (a, b) => compareIds(a.id, b.id),
  );
  const all = account.mailboxes();
  let matched = all.filter(matches);
  if (reader.boolean('filterAsTree', false)) {
    // Only Mailboxes whose every ancestor matches too.
    const matchedIds = new Set(matched.map((mailbox) => mailbox.id));
    matched = matched.filter((mailbox) => {
      for (let parent = mailbox.parentId; parent !== null; parent = account.mailbox(parent)?.parentId ?? null) {
        if (!matchedIds.has(parent)) return false;
      }
      return true;
    });
  }
  if (!reader.boolean('sortAsTree', false)) return matched.sort(compare).map((mailbox) => mailbox.id);
  return sortAsTree(matched, compare);
}

/** Depth-first: each parent before its children, siblings in `compare` order (RFC 8621 `sortAsTree`). */
function sortAsTree(mailboxes: MailboxRecord[], compare: Comparator<MailboxRecord>): string[] {
  const included = new Set(mailboxes.map((mailbox) => mailbox.id));
  const children = new Map<string | null, MailboxRecord[]>();
  for (const mailbox of mailboxes) {
    // A Mailbox whose parent is not in the results sorts among the roots.
    const parent = mailbox.parentId !== null && included.has(mailbox.parentId) ? mailbox.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), mailbox]);
  }
  const ordered: string[] = [];
  const visit = (parent: string | null) => {
    for (const child of (children.get(parent) ?? []).sort(compare)) {
      ordered.push(child.id);
      visit(child.id);
    }
  };
  visit(null);
  return ordered;
}

function compileCondition(
  condition: Record<string, unknown>,
  context: MethodContext,
  isPersonal: boolean,
): Matcher<MailboxRecord> {
  assertSupportedCondition(condition, CONDITIONS);
  const tests: Matcher<MailboxRecord>[] = [];
  if ('parentId' in condition) {
    const value = condition.parentId;
    if (value !== null && typeof value !== 'string') throw invalidArguments('filter "parentId" must be an id or null');
    const parentId = value === null ? null : (resolveCreationRef(context, value) ?? value);
    tests.push((mailbox) => mailbox.parentId === parentId);
  }
  if ('name' in condition) {
    if (typeof condition.name !== 'string') throw invalidArguments('filter "name" must be a string');
    const needle = condition.name.toLowerCase();
    tests.push((mailbox) => mailbox.name.toLowerCase().includes(needle));
  }
  if ('role' in condition) {
    const role = condition.role;
    if (role !== null && typeof role !== 'string') throw invalidArguments('filter "role" must be a string or null');
    tests.push((mailbox) => mailbox.role === role);
  }
  if ('hasAnyRole' in condition) {
    if (typeof condition.hasAnyRole !== 'boolean') throw invalidArguments('filter "hasAnyRole" must be a boolean');
    const wanted = condition.hasAnyRole;
    tests.push((mailbox) => (mailbox.role !== null) === wanted);
  }
  if ('isSubscribed' in condition) {
    if (typeof condition.isSubscribed !== 'boolean') throw invalidArguments('filter "isSubscribed" must be a boolean');
    const wanted = condition.isSubscribed;
    tests.push((mailbox) => (isPersonal ? mailbox.isSubscribed : false) === wanted);
  }
  return (mailbox) => tests.every((test) => test(mailbox));
}

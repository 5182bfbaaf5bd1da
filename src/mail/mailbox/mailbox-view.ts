import type { AccountAccess } from '../../auth/jmap-user';
import type { MailAccount } from '../../store/mail-account';
import type { MailboxRecord } from '../../store/mail-model';

/** Every Mailbox property (RFC 8621 section 2). */
export const MAILBOX_PROPERTIES = [
  'id',
  'name',
  'parentId',
  'role',
  'sortOrder',
  'totalEmails',
  'unreadEmails',
  'totalThreads',
  'unreadThreads',
  'myRights',
  'isSubscribed',
] as const;

/** The properties only the server sets. */
export const MAILBOX_SERVER_SET = [
  'id',
  'totalEmails',
  'unreadEmails',
  'totalThreads',
  'unreadThreads',
  'myRights',
] as const;

/** The count properties, the `updatedProperties` of a counts-only Mailbox/changes. */
export const MAILBOX_COUNT_PROPERTIES = ['totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads'] as const;

/** RFC 8621 section 2 MailboxRights. */
export type MailboxRights = Record<
  | 'mayReadItems'
  | 'mayAddItems'
  | 'mayRemoveItems'
  | 'maySetSeen'
  | 'maySetKeywords'
  | 'mayCreateChild'
  | 'mayRename'
  | 'mayDelete'
  | 'maySubmit',
  boolean
>;

/**
 * What the user may do with a Mailbox: everything in their own account except renaming or deleting the
 * Inbox (delivery needs it); only reading in a shared account (shares are read-only).
 */
export function rightsOf(mailbox: MailboxRecord, access: AccountAccess): MailboxRights {
  const write = !access.isReadOnly;
  const isInbox = mailbox.role === 'inbox';
  return {
    mayReadItems: true,
    mayAddItems: write,
    mayRemoveItems: write,
    maySetSeen: write,
    maySetKeywords: write,
    mayCreateChild: write,
    mayRename: write && !isInbox,
    mayDelete: write && !isInbox,
    maySubmit: false,
  };
}

/** A Mailbox with every property, as this user sees it. */
export function renderMailbox(
  account: MailAccount,
  mailbox: MailboxRecord,
  access: AccountAccess,
): Record<string, unknown> {
  return {
    id: mailbox.id,
    name: mailbox.name,
    parentId: mailbox.parentId,
    role: mailbox.role,
    sortOrder: mailbox.sortOrder,
    ...account.counts(mailbox.id),
    myRights: rightsOf(mailbox, access),
    // Subscriptions are per user (RFC 8621 section 2); only the owner's is stored, others default to false.
    isSubscribed: access.isPersonal ? mailbox.isSubscribed : false,
  };
}

/** The Mailbox roles of the IANA "IMAP Mailbox Name Attributes" registry (RFC 8621 section 2, 10.4). */
export const MAILBOX_ROLES: ReadonlySet<string> = new Set([
  'all',
  'archive',
  'drafts',
  'flagged',
  'important',
  'inbox',
  'junk',
  'sent',
  'subscribed',
  'trash',
]);

/**
 * The records the store holds. They are replaced, never changed in place, so a record handed to a
 * reader stays as it was when read.
 */

/** The JMAP type names this server keeps states for; `EmailDelivery` has a state but no records. */
export type MailDataType = 'Mailbox' | 'Email' | 'Thread' | 'EmailDelivery';
export const MAIL_DATA_TYPES: readonly MailDataType[] = ['Mailbox', 'Email', 'Thread', 'EmailDelivery'];

/** RFC 8621 section 4.1.2.3 EmailAddress. */
export interface EmailAddress {
  readonly name: string | null;
  readonly email: string;
}

export interface MailboxRecord {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly role: string | null;
  readonly sortOrder: number;
  /** The owner's subscription; other users see `false` (RFC 8621 section 2: per user, default false). */
  readonly isSubscribed: boolean;
}

/** The server-set counts of a Mailbox (RFC 8621 section 2). */
export interface MailboxCounts {
  readonly totalEmails: number;
  readonly unreadEmails: number;
  readonly totalThreads: number;
  readonly unreadThreads: number;
}

/** RFC 8621 section 4.1.4 EmailBodyPart, for the leaf parts this server keeps. */
export interface BodyPartRecord {
  readonly partId: string;
  readonly blobId: string;
  readonly size: number;
  readonly type: string;
  readonly charset: string | null;
  readonly name: string | null;
  readonly disposition: string | null;
  readonly cid: string | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
}

export interface EmailRecord {
  readonly id: string;
  /** The raw RFC 5322 message. */
  readonly blobId: string;
  readonly threadId: string;
  readonly mailboxIds: ReadonlySet<string>;
  /** Lower-case keywords (they are case-insensitive; RFC 8621 section 4.1.1). */
  readonly keywords: ReadonlySet<string>;
  readonly size: number;
  /** UTCDate. */
  readonly receivedAt: string;
  readonly messageId: readonly string[] | null;
  readonly inReplyTo: readonly string[] | null;
  readonly references: readonly string[] | null;
  readonly sender: readonly EmailAddress[] | null;
  readonly from: readonly EmailAddress[] | null;
  readonly to: readonly EmailAddress[] | null;
  readonly cc: readonly EmailAddress[] | null;
  readonly bcc: readonly EmailAddress[] | null;
  readonly replyTo: readonly EmailAddress[] | null;
  readonly subject: string | null;
  /** Date (with the sender's offset), from the Date header. */
  readonly sentAt: string | null;
  readonly textBody: readonly BodyPartRecord[];
  readonly htmlBody: readonly BodyPartRecord[];
  readonly attachments: readonly BodyPartRecord[];
  /** The decoded text of every text part, by part id. */
  readonly bodyValues: ReadonlyMap<string, string>;
  readonly preview: string;
}

export interface ThreadRecord {
  readonly id: string;
  /** Sorted by `receivedAt`, oldest first (RFC 8621 section 3). */
  readonly emailIds: readonly string[];
}

export interface BlobRecord {
  readonly data: Buffer;
  readonly type: string;
}

/** What a new Email needs; the store assigns `id`, `threadId`, and stores the blobs. */
export type NewEmail = Omit<EmailRecord, 'id' | 'threadId'>;

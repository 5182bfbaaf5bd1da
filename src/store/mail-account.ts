import { createHash } from 'node:crypto';
import { ChangeLog, type ChangeKind, type ChangesWindow } from './change-log';
import type {
  BlobRecord,
  EmailRecord,
  MailboxCounts,
  MailboxRecord,
  MailDataType,
  NewEmail,
  ThreadRecord,
} from './mail-model';
import type { StateTokens } from './state-token';

const NO_COUNTS: MailboxCounts = { totalEmails: 0, unreadEmails: 0, totalThreads: 0, unreadThreads: 0 };

/** Thrown when a mutation is attempted outside `MailStore.write`: states would change unpublished. */
export class WriteOutsideTransactionError extends Error {}

/**
 * One mail account: its Mailboxes, Emails, Threads and blobs, and the history behind every type's state.
 *
 * All records change through the mutators below, which log each change at a new `seq`. A type's state is
 * the `seq` of its latest change, so `Foo/get`'s `state` and the pushed value come from the same number.
 * Mutators only run inside `MailStore.write`, which publishes the states that changed once it ends.
 */
export class MailAccount {
  private seq = 0;
  private readonly lastSeq: Record<MailDataType, number> = { Mailbox: 0, Email: 0, Thread: 0, EmailDelivery: 0 };
  private readonly logs = { Mailbox: new ChangeLog(), Email: new ChangeLog(), Thread: new ChangeLog() };
  private readonly mailboxRecords = new Map<string, MailboxRecord>();
  private readonly countCache = new Map<string, MailboxCounts>();
  private readonly emailRecords = new Map<string, EmailRecord>();
  private readonly threadRecords = new Map<string, ThreadRecord>();
  private readonly blobRecords = new Map<string, BlobRecord>();
  /** Mailbox id to the ids of its Emails: counts and `inMailbox` without scanning every Email. */
  private readonly emailsByMailbox = new Map<string, Set<string>>();
  /** Message-ID to the Thread of the Email carrying it, for threading replies. */
  private readonly threadByMessageId = new Map<string, string>();
  private readonly idCounters = { M: 0, E: 0, T: 0 };
  private writing = false;
  private readonly touchedMailboxes = new Set<string>();

  constructor(
    readonly accountId: string,
    private readonly tokens: StateTokens,
  ) {
    // Every account starts with an Inbox (RFC 8621 section 2: the role mail is delivered to). It exists
    // from the initial state on, so it is not a logged change.
    const inbox: MailboxRecord = {
      id: this.nextId('M'),
      name: 'Inbox',
      parentId: null,
      role: 'inbox',
      sortOrder: 0,
      isSubscribed: true,
    };
    this.mailboxRecords.set(inbox.id, inbox);
    this.emailsByMailbox.set(inbox.id, new Set());
    this.countCache.set(inbox.id, NO_COUNTS);
  }

  // ---- reads ----------------------------------------------------------------------------------------

  /** The state string `Foo/get` returns for a type (and the value pushed for it). */
  state(type: MailDataType): string {
    return this.tokens.format(this.lastSeq[type]);
  }

  /** The states of every type, for comparing before and after a write. */
  states(): Record<MailDataType, string> {
    return {
      Mailbox: this.state('Mailbox'),
      Email: this.state('Email'),
      Thread: this.state('Thread'),
      EmailDelivery: this.state('EmailDelivery'),
    };
  }

  /** Changes of a type since a state string; `undefined` when that state cannot be answered. */
  changesSince(
    type: 'Mailbox' | 'Email' | 'Thread',
    sinceState: string,
    maxChanges: number,
  ): (ChangesWindow & { newState: string }) | undefined {
    const since = this.tokens.parse(sinceState);
    const log = this.logs[type];
    if (since === undefined || !log.canAnswer(since, this.lastSeq[type])) return undefined;
    const window = log.changesSince(since, this.lastSeq[type], maxChanges);
    return { ...window, newState: this.tokens.format(window.newSeq) };
  }

  mailbox(id: string): MailboxRecord | undefined {
    return this.mailboxRecords.get(id);
  }

  mailboxes(): MailboxRecord[] {
    return [...this.mailboxRecords.values()];
  }

  counts(mailboxId: string): MailboxCounts {
    return this.countCache.get(mailboxId) ?? NO_COUNTS;
  }

  mailboxByRole(role: string): MailboxRecord | undefined {
    return this.mailboxes().find((mailbox) => mailbox.role === role);
  }

  email(id: string): EmailRecord | undefined {
    return this.emailRecords.get(id);
  }

  emails(): EmailRecord[] {
    return [...this.emailRecords.values()];
  }

  emailIdsIn(mailboxId: string): ReadonlySet<string> {
    return this.emailsByMailbox.get(mailboxId) ?? new Set();
  }

  thread(id: string): ThreadRecord | undefined {
    return this.threadRecords.get(id);
  }

  threads(): ThreadRecord[] {
    return [...this.threadRecords.values()];
  }

  blob(blobId: string): BlobRecord | undefined {
    return this.blobRecords.get(blobId);
  }

  // ---- writes (inside MailStore.write only) ---------------------------------------------------------

  /** @internal Called by `MailStore.write`. */
  beginWrite(): void {
    this.writing = true;
  }

  /** @internal Called by `MailStore.write`: brings the Mailbox counts up to date, logging those that moved. */
  endWrite(): void {
    for (const mailboxId of this.touchedMailboxes) {
      if (!this.mailboxRecords.has(mailboxId)) continue;
      const before = this.counts(mailboxId);
      const after = this.computeCounts(mailboxId);
      if (!sameCounts(before, after)) {
        this.countCache.set(mailboxId, after);
        this.log('Mailbox', mailboxId, 'updated', true);
      }
    }
    this.touchedMailboxes.clear();
    this.writing = false;
  }

  createMailbox(fields: Omit<MailboxRecord, 'id'>): MailboxRecord {
    this.assertWriting();
    const mailbox: MailboxRecord = { ...fields, id: this.nextId('M') };
    this.mailboxRecords.set(mailbox.id, mailbox);
    this.emailsByMailbox.set(mailbox.id, new Set());
    this.countCache.set(mailbox.id, NO_COUNTS);
    this.log('Mailbox', mailbox.id, 'created');
    return mailbox;
  }

  updateMailbox(mailbox: MailboxRecord): void {
    this.assertWriting();
    this.mailboxRecords.set(mailbox.id, mailbox);
    this.log('Mailbox', mailbox.id, 'updated');
  }

  /** Removes an (empty) Mailbox; the caller has already moved or destroyed its Emails. */
  destroyMailbox(id: string): void {
    this.assertWriting();
    this.mailboxRecords.delete(id);
    this.emailsByMailbox.delete(id);
    this.countCache.delete(id);
    this.touchedMailboxes.delete(id);
    this.log('Mailbox', id, 'destroyed');
  }

  /** Stores bytes under a content-derived id (the same bytes get the same id) and returns it. */
  putBlob(data: Buffer, type: string): string {
    this.assertWriting();
    const blobId = `B${createHash('sha256').update(data).digest('hex').slice(0, 40)}`;
    if (!this.blobRecords.has(blobId)) this.blobRecords.set(blobId, { data, type });
    return blobId;
  }

  /** Adds an Email, threading it with the Emails it replies to (by Message-ID). */
  createEmail(fields: NewEmail): EmailRecord {
    this.assertWriting();
    const threadId = this.findThreadFor(fields) ?? this.nextId('T');
    const email: EmailRecord = { ...fields, id: this.nextId('E'), threadId };
    this.emailRecords.set(email.id, email);
    for (const mailboxId of email.mailboxIds) this.addToMailbox(mailboxId, email.id);
    for (const messageId of email.messageId ?? []) this.threadByMessageId.set(messageId, threadId);
    const thread = this.threadRecords.get(threadId);
    this.threadRecords.set(threadId, {
      id: threadId,
      emailIds: this.sortByReceived([...(thread?.emailIds ?? []), email.id]),
    });
    this.log('Thread', threadId, thread ? 'updated' : 'created');
    this.log('Email', email.id, 'created');
    return email;
  }

  /** Replaces an Email's mutable properties (keywords, mailboxIds). */
  updateEmail(id: string, change: { keywords?: ReadonlySet<string>; mailboxIds?: ReadonlySet<string> }): EmailRecord {
    this.assertWriting();
    const before = this.requireEmail(id);
    const after: EmailRecord = { ...before, ...change };
    this.emailRecords.set(id, after);
    for (const mailboxId of before.mailboxIds) {
      if (!after.mailboxIds.has(mailboxId)) this.emailsByMailbox.get(mailboxId)?.delete(id);
      this.touchedMailboxes.add(mailboxId);
    }
    for (const mailboxId of after.mailboxIds) this.addToMailbox(mailboxId, id);
    this.log('Email', id, 'updated');
    return after;
  }

  destroyEmail(id: string): void {
    this.assertWriting();
    const email = this.requireEmail(id);
    this.emailRecords.delete(id);
    for (const mailboxId of email.mailboxIds) {
      this.emailsByMailbox.get(mailboxId)?.delete(id);
      this.touchedMailboxes.add(mailboxId);
    }
    for (const messageId of email.messageId ?? []) {
      if (this.threadByMessageId.get(messageId) === email.threadId) this.threadByMessageId.delete(messageId);
    }
    const remaining = (this.threadRecords.get(email.threadId)?.emailIds ?? []).filter((emailId) => emailId !== id);
    if (remaining.length === 0) {
      this.threadRecords.delete(email.threadId);
      this.log('Thread', email.threadId, 'destroyed');
    } else {
      this.threadRecords.set(email.threadId, { id: email.threadId, emailIds: remaining });
      this.log('Thread', email.threadId, 'updated');
    }
    this.log('Email', id, 'destroyed');
  }

  /** Marks that mail was delivered: the `EmailDelivery` state (RFC 8621 section 1.5) moves, nothing else. */
  recordDelivery(): void {
    this.assertWriting();
    this.lastSeq.EmailDelivery = ++this.seq;
  }

  // ---- internals ------------------------------------------------------------------------------------

  private log(type: 'Mailbox' | 'Email' | 'Thread', id: string, kind: ChangeKind, countsOnly = false): void {
    const seq = ++this.seq;
    this.lastSeq[type] = seq;
    this.logs[type].append({ seq, id, kind, countsOnly });
  }

  private addToMailbox(mailboxId: string, emailId: string): void {
    this.emailsByMailbox.get(mailboxId)?.add(emailId);
    this.touchedMailboxes.add(mailboxId);
  }

  private computeCounts(mailboxId: string): MailboxCounts {
    const threads = new Set<string>();
    const unreadThreads = new Set<string>();
    let unreadEmails = 0;
    for (const emailId of this.emailIdsIn(mailboxId)) {
      const email = this.emailRecords.get(emailId);
      if (!email) continue;
      threads.add(email.threadId);
      // RFC 8621 section 2: unread means neither $seen nor $draft.
      if (!email.keywords.has('$seen') && !email.keywords.has('$draft')) {
        unreadEmails++;
        unreadThreads.add(email.threadId);
      }
    }
    return {
      totalEmails: this.emailIdsIn(mailboxId).size,
      unreadEmails,
      totalThreads: threads.size,
      unreadThreads: unreadThreads.size,
    };
  }

  private findThreadFor(email: NewEmail): string | undefined {
    for (const referenced of [...(email.inReplyTo ?? []), ...(email.references ?? [])]) {
      const threadId = this.threadByMessageId.get(referenced);
      if (threadId && this.threadRecords.has(threadId)) return threadId;
    }
    return undefined;
  }

  private sortByReceived(emailIds: string[]): string[] {
    const received = (id: string) => Date.parse(this.emailRecords.get(id)?.receivedAt ?? '') || 0;
    return emailIds.sort((a, b) => received(a) - received(b) || compareIds(a, b));
  }

  private requireEmail(id: string): EmailRecord {
    const email = this.emailRecords.get(id);
    if (!email) throw new Error(`no Email ${id} in account ${this.accountId}`);
    return email;
  }

  private nextId(prefix: 'M' | 'E' | 'T'): string {
    return `${prefix}${(++this.idCounters[prefix]).toString(36)}`;
  }

  private assertWriting(): void {
    if (!this.writing) throw new WriteOutsideTransactionError('mail data changes only inside MailStore.write()');
  }
}

function sameCounts(a: MailboxCounts, b: MailboxCounts): boolean {
  return (
    a.totalEmails === b.totalEmails &&
    a.unreadEmails === b.unreadEmails &&
    a.totalThreads === b.totalThreads &&
    a.unreadThreads === b.unreadThreads
  );
}

/** Orders generated ids by creation: shorter base-36 counters first, then lexically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

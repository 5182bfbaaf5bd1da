import { Injectable } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import type { JmapUser } from '../auth/jmap-user';
import { MailStore } from '../store/mail-store.service';
import { findSyntaxProblem } from './message-syntax';
import { parsedMailToEmail } from './parsed-mail-to-email';

/** A message that cannot be delivered to anyone, with the reason for the LMTP reply. */
export class MalformedMessageError extends Error {}

/**
 * Delivers a message into users' Inboxes. Each delivery is one store write that adds the Email and
 * moves `EmailDelivery` (RFC 8621 section 1.5): only here, never for Email/set.
 */
@Injectable()
export class MailDelivery {
  constructor(private readonly store: MailStore) {}

  /** Parses once, then delivers to each distinct recipient; throws `MalformedMessageError` before any delivery. */
  async deliver(raw: Buffer, recipients: readonly JmapUser[]): Promise<void> {
    const problem = findSyntaxProblem(raw);
    if (problem) throw new MalformedMessageError(problem);
    let parsed;
    try {
      parsed = await simpleParser(raw, { skipImageLinks: true });
    } catch (error) {
      throw new MalformedMessageError(
        `the message cannot be parsed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const receivedAt = new Date();
    for (const accountId of new Set(recipients.map((user) => user.accountId))) {
      this.store.write(accountId, (account) => {
        const inbox = account.mailboxByRole('inbox');
        if (!inbox) throw new Error(`account ${accountId} has no Inbox`);
        account.createEmail(parsedMailToEmail(account, raw, parsed, inbox.id, receivedAt));
        account.recordDelivery();
      });
    }
  }
}

import type { AddressObject, EmailAddress as ParsedAddress, ParsedMail } from 'mailparser';
import type { MailAccount } from '../store/mail-account';
import type { BodyPartRecord, EmailAddress, NewEmail } from '../store/mail-model';
import { utcDate } from '../mail/email/email-fields';
import { previewOf } from '../mail/email/email-view';

/**
 * Turns a parsed delivered message into a new Email in the account's Inbox, storing the raw message and
 * each body part as blobs. Runs inside a store write.
 */
export function parsedMailToEmail(
  account: MailAccount,
  raw: Buffer,
  parsed: ParsedMail,
  inboxId: string,
  receivedAt: Date,
): NewEmail {
  const parts: BodyPartRecord[] = [];
  const bodyValues = new Map<string, string>();
  const addPart = (partId: string, type: string, data: Buffer, extra: Partial<BodyPartRecord> = {}) => {
    const part: BodyPartRecord = {
      partId,
      blobId: account.putBlob(data, type),
      size: data.length,
      type,
      charset: type.startsWith('text/') ? 'utf-8' : null,
      name: null,
      disposition: null,
      cid: null,
      language: null,
      location: null,
      ...extra,
    };
    parts.push(part);
    return part;
  };
  const text = parsed.text ?? (parsed.html ? undefined : '');
  const textPart = text !== undefined ? addPart('1', 'text/plain', Buffer.from(text, 'utf8')) : undefined;
  if (textPart && text !== undefined) bodyValues.set('1', text);
  const htmlPart = parsed.html ? addPart('2', 'text/html', Buffer.from(parsed.html, 'utf8')) : undefined;
  if (htmlPart) bodyValues.set('2', parsed.html as string);
  // `text` is '' when the message has neither text nor HTML, so there is always one of the two.
  const mainPart = textPart ?? htmlPart;
  if (!mainPart) throw new Error('a message without a text or an HTML part');
  const attachments = parsed.attachments.map((attachment, index) =>
    addPart(String(index + 3), attachment.contentType || 'application/octet-stream', attachment.content, {
      name: attachment.filename ?? null,
      disposition: attachment.contentDisposition ?? 'attachment',
      cid: attachment.cid ?? null,
      charset: null,
    }),
  );
  return {
    blobId: account.putBlob(raw, 'message/rfc822'),
    mailboxIds: new Set([inboxId]),
    keywords: new Set(),
    size: raw.length,
    receivedAt: utcDate(receivedAt),
    messageId: parsed.messageId ? messageIds(parsed.messageId) : null,
    inReplyTo: parsed.inReplyTo ? messageIds(parsed.inReplyTo) : null,
    references: parsed.references ? messageIds([parsed.references].flat().join(' ')) : null,
    sender: addresses(parsed.headers.get('sender') as AddressObject | undefined),
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: addresses(parsed.bcc),
    replyTo: addresses(parsed.replyTo),
    subject: parsed.subject ?? null,
    sentAt: parsed.date && !Number.isNaN(parsed.date.getTime()) ? utcDate(parsed.date) : null,
    textBody: [mainPart],
    htmlBody: [htmlPart ?? mainPart],
    attachments,
    bodyValues,
    preview: previewOf(text ?? ''),
  };
}

/** `<a@b> <c@d>` to `['a@b', 'c@d']` (RFC 8621 section 4.1.2.4 `asMessageIds`). */
function messageIds(value: string): string[] | null {
  const ids = [...value.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1]);
  if (ids.length === 0 && /^[^<>\s]+@[^<>\s]+$/.test(value.trim())) ids.push(value.trim());
  return ids.length > 0 ? ids : null;
}

/** mailparser's address objects (groups flattened) to EmailAddress[] (RFC 8621 section 4.1.2.3). */
function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] | null {
  if (!value) return null;
  const flat: EmailAddress[] = [];
  const visit = (address: ParsedAddress) => {
    if (address.group) address.group.forEach(visit);
    else if (address.address) flat.push({ name: address.name || null, email: address.address });
  };
  for (const object of [value].flat()) object.value.forEach(visit);
  return flat.length > 0 ? flat : null;
}

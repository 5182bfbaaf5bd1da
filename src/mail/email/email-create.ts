import { isDeepStrictEqual } from 'node:util';
import { resolveCreationRef } from '../../api/account-resolver';
import { isObject } from '../../api/argument-reader';
import type { MethodContext } from '../../api/method-context';
import { invalidProperties } from '../../api/method-error';
import type { MailAccount } from '../../store/mail-account';
import type { BodyPartRecord, NewEmail } from '../../store/mail-model';
import { previewOf } from './email-view';
import {
  normalizeDate,
  normalizeKeyword,
  normalizeUtcDate,
  parseAddressList,
  parseMessageIds,
  utcDate,
} from './email-fields';
import { writeMessage } from './rfc5322-writer';

/** The Email properties a create may set (RFC 8621 section 4.6), besides the server-set ones. */
const CREATABLE = new Set([
  'mailboxIds',
  'keywords',
  'receivedAt',
  'messageId',
  'inReplyTo',
  'references',
  'sender',
  'from',
  'to',
  'cc',
  'bcc',
  'replyTo',
  'subject',
  'sentAt',
  'bodyValues',
  'textBody',
  'htmlBody',
  'attachments',
]);

/**
 * Checks an Email/set create and builds the Email: `mailboxIds` (at least one, existing, `#creationId`
 * allowed), keywords, header fields, and a body given as `textBody`/`htmlBody` parts whose text is in
 * `bodyValues`. Attachments, `bodyStructure` and `header:` forms are refused as `invalidProperties`.
 * Stores the serialised message as the Email's blob.
 */
export function buildNewEmail(
  account: MailAccount,
  context: MethodContext,
  props: Record<string, unknown>,
  now: Date,
): NewEmail {
  const invalid = new Set<string>();
  for (const property of Object.keys(props)) if (!CREATABLE.has(property)) invalid.add(property);
  if (Array.isArray(props.attachments) && props.attachments.length > 0) invalid.add('attachments');

  const mailboxIds = parseMailboxIds(account, context, props.mailboxIds);
  if (!mailboxIds) invalid.add('mailboxIds');
  const keywords = props.keywords === undefined ? new Set<string>() : parseKeywords(props.keywords);
  if (!keywords) invalid.add('keywords');
  const receivedAt = props.receivedAt === undefined ? utcDate(now) : normalizeUtcDate(props.receivedAt);
  if (!receivedAt) invalid.add('receivedAt');
  const sentAt =
    props.sentAt === undefined || props.sentAt === null ? (receivedAt ?? utcDate(now)) : normalizeDate(props.sentAt);
  if (!sentAt) invalid.add('sentAt');
  const addresses = Object.fromEntries(
    (['sender', 'from', 'to', 'cc', 'bcc', 'replyTo'] as const).map((field) => {
      const parsed = props[field] === undefined ? null : parseAddressList(props[field]);
      if (parsed === undefined) invalid.add(field);
      return [field, parsed ?? null];
    }),
  ) as Record<'sender' | 'from' | 'to' | 'cc' | 'bcc' | 'replyTo', NewEmail['from']>;
  const ids = Object.fromEntries(
    (['messageId', 'inReplyTo', 'references'] as const).map((field) => {
      const parsed = props[field] === undefined ? null : parseMessageIds(props[field]);
      if (parsed === undefined) invalid.add(field);
      return [field, parsed ?? null];
    }),
  ) as Record<'messageId' | 'inReplyTo' | 'references', string[] | null>;
  const subject = props.subject === undefined || props.subject === null ? null : props.subject;
  if (subject !== null && (typeof subject !== 'string' || /[\r\n]/.test(subject))) invalid.add('subject');
  const body = parseBody(props, invalid);
  // Each of these is missing only when its name went into `invalid`.
  if (invalid.size > 0 || !mailboxIds || !keywords || !receivedAt || !sentAt) throw invalidProperties([...invalid]);

  const written = writeMessage(
    { ...addresses, ...ids, subject: subject as string | null, sentAt, text: body.text, html: body.html },
    `${account.accountId}${Date.now().toString(36)}`,
  );
  const parts: BodyPartRecord[] = [];
  const bodyValues = new Map<string, string>();
  // No body given: an empty text part, so every Email has a text body to show.
  const stored = body.text === null && body.html === null ? { text: '', html: null } : body;
  for (const [partId, type, value] of [
    ['1', 'text/plain', stored.text],
    ['2', 'text/html', stored.html],
  ] as const) {
    if (value === null) continue;
    const data = Buffer.from(value, 'utf8');
    parts.push({
      partId,
      blobId: account.putBlob(data, type),
      size: data.length,
      type,
      charset: 'utf-8',
      name: null,
      disposition: null,
      cid: null,
      language: null,
      location: null,
    });
    bodyValues.set(partId, value);
  }
  const textPart = parts.find((part) => part.type === 'text/plain');
  const htmlPart = parts.find((part) => part.type === 'text/html');
  // `parts` always has a text or an HTML part (an empty text part when no body was given).
  const mainPart = textPart ?? htmlPart;
  if (!mainPart) throw new Error('an Email without a text or an HTML part');
  return {
    blobId: account.putBlob(written.raw, 'message/rfc822'),
    mailboxIds,
    keywords,
    size: written.raw.length,
    receivedAt,
    ...ids,
    ...addresses,
    subject: subject as string | null,
    sentAt,
    // RFC 8621 section 4.1.4: with only one alternative, textBody and htmlBody both list it.
    textBody: [mainPart],
    htmlBody: [htmlPart ?? mainPart],
    attachments: [],
    bodyValues,
    preview: previewOf(body.text ?? stripTags(body.html ?? '')),
  };
}

function parseMailboxIds(account: MailAccount, context: MethodContext, value: unknown): Set<string> | undefined {
  if (!isObject(value)) return undefined;
  const ids = new Set<string>();
  for (const [key, flag] of Object.entries(value)) {
    const id = resolveCreationRef(context, key);
    if (flag !== true || id === undefined || !account.mailbox(id)) return undefined;
    ids.add(id);
  }
  return ids.size > 0 ? ids : undefined;
}

export function parseKeywords(value: unknown): Set<string> | undefined {
  if (!isObject(value)) return undefined;
  const keywords = new Set<string>();
  for (const [key, flag] of Object.entries(value)) {
    const keyword = normalizeKeyword(key);
    if (flag !== true || keyword === undefined) return undefined;
    keywords.add(keyword);
  }
  return keywords;
}

/**
 * The text of `textBody` and `htmlBody`: at most one part each, `text/plain` and `text/html`, each
 * pointing at a `bodyValues` entry by `partId`; every body value must be used, none flagged truncated.
 */
function parseBody(props: Record<string, unknown>, invalid: Set<string>): { text: string | null; html: string | null } {
  const values = props.bodyValues === undefined ? {} : props.bodyValues;
  if (!isObject(values)) {
    invalid.add('bodyValues');
    return { text: null, html: null };
  }
  const used = new Set<string>();
  const pick = (field: 'textBody' | 'htmlBody', type: string): string | null => {
    const parts = props[field];
    if (parts === undefined || (Array.isArray(parts) && parts.length === 0)) return null;
    if (!Array.isArray(parts) || parts.length !== 1 || !isObject(parts[0])) {
      invalid.add(field);
      return null;
    }
    const { partId, type: partType = type, charset, ...rest } = parts[0];
    const value = typeof partId === 'string' ? values[partId] : undefined;
    const extrasOk = Object.keys(rest).every((key) =>
      ['name', 'disposition', 'cid', 'language', 'location'].includes(key),
    );
    if (
      partType !== type ||
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `charset` is client JSON of any type, judged by its string form
      (charset !== undefined && charset !== null && String(charset).toLowerCase() !== 'utf-8') ||
      !extrasOk ||
      !isObject(value)
    ) {
      invalid.add(field);
      return null;
    }
    const { value: text, isEncodingProblem = false, isTruncated = false, ...other } = value;
    if (
      typeof text !== 'string' ||
      isEncodingProblem !== false ||
      isTruncated !== false ||
      Object.keys(other).length > 0
    ) {
      invalid.add('bodyValues');
      return null;
    }
    used.add(partId as string);
    return text;
  };
  const text = pick('textBody', 'text/plain');
  const html = pick('htmlBody', 'text/html');
  if (!isDeepStrictEqual([...used].sort(), Object.keys(values).sort())) invalid.add('bodyValues');
  return { text, html };
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, ' ');
}

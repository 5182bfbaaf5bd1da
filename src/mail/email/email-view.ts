import type { BodyPartRecord, EmailRecord } from '../../store/mail-model';

/** The Email properties this server answers (RFC 8621 section 4.1, without `header:` forms). */
export const EMAIL_PROPERTIES = [
  'id',
  'blobId',
  'threadId',
  'mailboxIds',
  'keywords',
  'size',
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
  'hasAttachment',
  'preview',
  'bodyStructure',
  'bodyValues',
  'textBody',
  'htmlBody',
  'attachments',
] as const;

/** RFC 8621 section 4.2: what Email/get returns when `properties` is null. */
export const DEFAULT_EMAIL_PROPERTIES = EMAIL_PROPERTIES.filter((property) => property !== 'bodyStructure');

export const BODY_PART_PROPERTIES = [
  'partId',
  'blobId',
  'size',
  'name',
  'type',
  'charset',
  'disposition',
  'cid',
  'language',
  'location',
  'subParts',
] as const;

/** RFC 8621 section 4.2: the default `bodyProperties`. */
export const DEFAULT_BODY_PROPERTIES = BODY_PART_PROPERTIES.filter((property) => property !== 'subParts');

export interface BodyValueOptions {
  readonly fetchTextBodyValues: boolean;
  readonly fetchHTMLBodyValues: boolean;
  readonly fetchAllBodyValues: boolean;
  /** 0 means no truncation. */
  readonly maxBodyValueBytes: number;
}

/** An Email with the requested properties (RFC 8621 section 4.2 Email/get). */
export function renderEmail(
  email: EmailRecord,
  properties: readonly string[],
  bodyProperties: readonly string[],
  options: BodyValueOptions,
): Record<string, unknown> {
  const part = (record: BodyPartRecord) => renderPart(record, bodyProperties);
  const result: Record<string, unknown> = {};
  for (const property of properties) {
    switch (property) {
      case 'mailboxIds':
        result.mailboxIds = Object.fromEntries([...email.mailboxIds].map((id) => [id, true]));
        break;
      case 'keywords':
        result.keywords = Object.fromEntries([...email.keywords].map((keyword) => [keyword, true]));
        break;
      case 'hasAttachment':
        result.hasAttachment = email.attachments.length > 0;
        break;
      case 'textBody':
      case 'htmlBody':
      case 'attachments':
        result[property] = email[property].map(part);
        break;
      case 'bodyStructure':
        result.bodyStructure = structureOf(email, bodyProperties);
        break;
      case 'bodyValues':
        result.bodyValues = bodyValuesOf(email, options);
        break;
      default:
        result[property] = email[property as keyof EmailRecord] ?? null;
    }
  }
  return result;
}

function renderPart(part: BodyPartRecord, bodyProperties: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const property of bodyProperties) {
    result[property] = property === 'subParts' ? null : (part[property as keyof BodyPartRecord] ?? null);
  }
  return result;
}

/**
 * The MIME tree the store's flat parts came from: a lone part is the structure; text and HTML
 * alternatives sit in `multipart/alternative`; attachments join them in `multipart/mixed`.
 */
function structureOf(email: EmailRecord, bodyProperties: readonly string[]): Record<string, unknown> {
  const leaf = (part: BodyPartRecord) => renderPart(part, bodyProperties);
  const container = (type: string, subParts: Record<string, unknown>[]) => {
    const result: Record<string, unknown> = {};
    for (const property of bodyProperties)
      result[property] = property === 'type' ? type : property === 'size' ? 0 : null;
    result.subParts = subParts;
    return result;
  };
  const text = email.textBody.at(0);
  const html = email.htmlBody.at(0);
  const lone = text ?? html;
  // Every stored Email has a text or an HTML body part.
  if (!lone) throw new Error(`Email ${email.id} has no body part`);
  const body =
    text && html && text.partId !== html.partId
      ? container('multipart/alternative', [leaf(text), leaf(html)])
      : leaf(lone);
  if (email.attachments.length === 0) return body;
  return container('multipart/mixed', [body, ...email.attachments.map(leaf)]);
}

function bodyValuesOf(email: EmailRecord, options: BodyValueOptions): Record<string, unknown> {
  const wanted = new Set<string>();
  if (options.fetchTextBodyValues || options.fetchAllBodyValues)
    for (const part of email.textBody) wanted.add(part.partId);
  if (options.fetchHTMLBodyValues || options.fetchAllBodyValues)
    for (const part of email.htmlBody) wanted.add(part.partId);
  const values: Record<string, unknown> = {};
  for (const partId of wanted) {
    const value = email.bodyValues.get(partId);
    if (value === undefined) continue;
    const truncated = truncateUtf8(value, options.maxBodyValueBytes);
    values[partId] = { value: truncated, isEncodingProblem: false, isTruncated: truncated.length < value.length };
  }
  return values;
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character (0: no limit). */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (maxBytes <= 0 || Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/** RFC 8621 section 4.1.4 `preview`: up to 256 characters of the text, whitespace collapsed. */
export function previewOf(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- counts code points, as it always has: a surrogate pair is never cut in half
  return [...text.replace(/\s+/g, ' ').trim()].slice(0, 256).join('');
}

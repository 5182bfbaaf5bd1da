import type { EmailAddress } from '../../store/mail-model';

/** The header fields and bodies of a message to serialise. */
export interface OutgoingMessage {
  readonly from: readonly EmailAddress[] | null;
  readonly sender: readonly EmailAddress[] | null;
  readonly to: readonly EmailAddress[] | null;
  readonly cc: readonly EmailAddress[] | null;
  readonly bcc: readonly EmailAddress[] | null;
  readonly replyTo: readonly EmailAddress[] | null;
  readonly subject: string | null;
  /** RFC 3339 with offset. */
  readonly sentAt: string;
  readonly messageId: readonly string[] | null;
  readonly inReplyTo: readonly string[] | null;
  readonly references: readonly string[] | null;
  readonly text: string | null;
  readonly html: string | null;
}

/** The raw bytes of a message and of each of its body parts, as a download returns them. */
export interface WrittenMessage {
  readonly raw: Buffer;
}

/**
 * Serialises an Email made through Email/set into RFC 5322 + MIME, so it has a real blob (and `size`)
 * like delivered mail. Non-ASCII header text uses RFC 2047 encoded words; bodies are base64 UTF-8.
 */
export function writeMessage(message: OutgoingMessage, boundarySeed: string): WrittenMessage {
  const lines: string[] = [];
  const addressField = (name: string, list: readonly EmailAddress[] | null) => {
    if (list && list.length > 0) lines.push(`${name}: ${list.map(formatAddress).join(', ')}`);
  };
  addressField('From', message.from);
  addressField('Sender', message.sender);
  addressField('To', message.to);
  addressField('Cc', message.cc);
  addressField('Bcc', message.bcc);
  addressField('Reply-To', message.replyTo);
  if (message.subject !== null) lines.push(`Subject: ${encodeWord(message.subject)}`);
  lines.push(`Date: ${formatRfc5322Date(message.sentAt)}`);
  if (message.messageId) lines.push(`Message-ID: ${message.messageId.map((id) => `<${id}>`).join(' ')}`);
  if (message.inReplyTo) lines.push(`In-Reply-To: ${message.inReplyTo.map((id) => `<${id}>`).join(' ')}`);
  if (message.references) lines.push(`References: ${message.references.map((id) => `<${id}>`).join(' ')}`);
  lines.push('MIME-Version: 1.0');
  if (message.text !== null && message.html !== null) {
    const boundary = `=_alt_${boundarySeed}`;
    lines.push(`Content-Type: multipart/alternative; boundary="${boundary}"`, '');
    lines.push(
      `--${boundary}`,
      ...leaf('text/plain', message.text),
      `--${boundary}`,
      ...leaf('text/html', message.html),
      `--${boundary}--`,
      '',
    );
  } else {
    const [type, body] = message.html !== null ? ['text/html', message.html] : ['text/plain', message.text ?? ''];
    lines.push(...leaf(type, body));
  }
  return { raw: Buffer.from(lines.join('\r\n'), 'utf8') };
}

function leaf(type: string, body: string): string[] {
  const encoded = Buffer.from(body, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', encoded];
}

function formatAddress(address: EmailAddress): string {
  if (!address.name) return `<${address.email}>`;
  const name = /^[\x20-\x7e]*$/.test(address.name)
    ? `"${address.name.replace(/(["\\])/g, '\\$1')}"`
    : encodeWord(address.name);
  return `${name} <${address.email}>`;
}

/** RFC 2047 `=?UTF-8?B?...?=` for text that is not plain ASCII. */
function encodeWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3339 (`2024-05-01T12:00:00+02:00`) to RFC 5322 (`Wed, 01 May 2024 12:00:00 +0200`), keeping the offset. */
export function formatRfc5322Date(rfc3339: string): string {
  const match = /(Z|([+-])(\d{2}):(\d{2}))$/i.exec(rfc3339);
  const offsetMinutes =
    !match || match[1].toUpperCase() === 'Z'
      ? 0
      : (match[2] === '-' ? -1 : 1) * (Number(match[3]) * 60 + Number(match[4]));
  const local = new Date(Date.parse(rfc3339) + offsetMinutes * 60_000);
  const pad = (value: number) => String(value).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${DAYS[local.getUTCDay()]}, ${pad(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${offset}`;
}

import type { EmailAddress } from '../../store/mail-model';

/**
 * RFC 8621 section 4.1.1 keywords: 1-255 characters of %x21-%x7E except `( ) { ] % * " \`; they are
 * case-insensitive, kept lower-case.
 */
export function normalizeKeyword(keyword: string): string | undefined {
  return /^[\x21-\x7e]{1,255}$/.test(keyword) && !/[(){\]%*"\\]/.test(keyword) ? keyword.toLowerCase() : undefined;
}

/** A UTCDate (RFC 8620 section 1.4), normalised: upper-case `T`/`Z`, no zero fraction. */
export function normalizeUtcDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/i.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : utcDate(new Date(time));
}

/** A Date (RFC 8620 section 1.4, RFC 3339 with an offset), kept as given once checked. */
export function normalizeDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value))
    return undefined;
  return Number.isNaN(Date.parse(value)) ? undefined : value.toUpperCase();
}

/** The UTCDate of a moment: `2024-05-01T10:00:00Z`, a fraction only when it is not zero. */
export function utcDate(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** `EmailAddress[]|null` as a client sends it; `undefined` when malformed. */
export function parseAddressList(value: unknown): EmailAddress[] | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value)) return undefined;
  const addresses: EmailAddress[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    const { name = null, email, ...rest } = item as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || typeof email !== 'string' || (name !== null && typeof name !== 'string'))
      return undefined;
    if (/[\r\n]/.test(email) || (typeof name === 'string' && /[\r\n]/.test(name))) return undefined;
    addresses.push({ name, email });
  }
  return addresses;
}

/** `String[]|null` of message ids without angle brackets (messageId, inReplyTo, references). */
export function parseMessageIds(value: unknown): string[] | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((id) => typeof id === 'string' && /^[^\s<>]+@[^\s<>]+$/.test(id))
    ? (value as string[])
    : undefined;
}

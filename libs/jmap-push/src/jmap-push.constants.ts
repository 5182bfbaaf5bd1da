/** Route of the event source when the `path` extra is not given. */
export const DEFAULT_EVENT_SOURCE_PATH = 'jmap/eventsource';

/** Pushable types of RFC 8621 (JMAP for Mail). `SearchSnippet` has no state and is left out. */
export const JMAP_MAIL_TYPES: readonly string[] = [
  'Mailbox',
  'Thread',
  'Email',
  'EmailDelivery',
  'Identity',
  'EmailSubmission',
  'VacationResponse',
];

/** Pushable types of RFC 9610 (JMAP for Contacts). */
export const JMAP_CONTACTS_TYPES: readonly string[] = ['AddressBook', 'ContactCard'];

/** Type names accepted in `types` and `publish()` unless the host adds its own with the `types` option. */
export const DEFAULT_PUSH_TYPES: readonly string[] = [...JMAP_MAIL_TYPES, ...JMAP_CONTACTS_TYPES];

/** The RFC 8620 section 7.3 bounds: a server's minimum may not exceed 30 s, nor its maximum fall below 300 s. */
export const RFC_MAX_MIN_PING_SECONDS = 30;
export const RFC_MIN_MAX_PING_SECONDS = 300;

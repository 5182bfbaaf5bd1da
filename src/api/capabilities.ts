/** Capability URIs this server implements. */
export const CORE_CAPABILITY = 'urn:ietf:params:jmap:core';
export const MAIL_CAPABILITY = 'urn:ietf:params:jmap:mail';

/** The limits of RFC 8620 section 2 (`urn:ietf:params:jmap:core`), enforced where they apply. */
export const CORE_LIMITS = {
  maxSizeUpload: 50_000_000,
  maxConcurrentUpload: 4,
  maxSizeRequest: 10_000_000,
  maxConcurrentRequests: 4,
  maxCallsInRequest: 16,
  maxObjectsInGet: 500,
  maxObjectsInSet: 500,
  collationAlgorithms: ['i;ascii-casemap', 'i;unicode-casemap'],
} as const;

/** The account capability of RFC 8621 section 1.3.1. */
export const MAIL_ACCOUNT_CAPABILITY = {
  maxMailboxesPerEmail: null,
  maxMailboxDepth: 10,
  maxSizeMailboxName: 255,
  maxSizeAttachmentsPerEmail: 25_000_000,
  emailQuerySortOptions: ['receivedAt', 'sentAt', 'size'],
  mayCreateTopLevelMailbox: true,
} as const;

/** The largest `limit` an Email/query or Mailbox/query answers with (the server-set maximum). */
export const MAX_QUERY_LIMIT = 1000;
/** `maxChanges` used when the client gives none. */
export const DEFAULT_MAX_CHANGES = 500;

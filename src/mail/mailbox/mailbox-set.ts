import { isDeepStrictEqual } from 'node:util';
import type { AccountAccess } from '../../auth/jmap-user';
import { resolveCreationRef } from '../../api/account-resolver';
import { MAIL_ACCOUNT_CAPABILITY } from '../../api/capabilities';
import type { MethodContext } from '../../api/method-context';
import { invalidProperties, SetError } from '../../api/method-error';
import { SetOutcome, type SetRequest } from '../../api/standard/set-outcome';
import type { MailAccount } from '../../store/mail-account';
import type { MailboxRecord } from '../../store/mail-model';
import { MAILBOX_ROLES } from './mailbox-roles';
import { MAILBOX_SERVER_SET, renderMailbox } from './mailbox-view';

type MailboxFields = Omit<MailboxRecord, 'id'>;

/**
 * Mailbox/set (RFC 8621 section 2.5) inside one store write: creates (in an order that lets one
 * creation be the parent of another), then updates, then destroys.
 */
export function setMailboxes(
  account: MailAccount,
  access: AccountAccess,
  context: MethodContext,
  request: SetRequest,
  onDestroyRemoveEmails: boolean,
): SetOutcome {
  const outcome = new SetOutcome();
  createInDependencyOrder(account, access, context, request.create, outcome);
  for (const [id, patch] of Object.entries(request.update)) {
    outcome.tryUpdate(id, () => {
      const resolved = resolveCreationRef(context, id);
      const current = resolved === undefined ? undefined : account.mailbox(resolved);
      if (!current) throw new SetError('notFound');
      const fields = applyPatch(account, access, context, current, patch);
      if (
        current.role === 'inbox' &&
        (fields.name !== current.name || fields.parentId !== current.parentId || fields.role !== 'inbox')
      ) {
        throw new SetError('forbidden', 'the Inbox cannot be renamed, moved or lose its role');
      }
      checkConstraints(account, fields, current.id);
      account.updateMailbox({ ...fields, id: current.id });
      return null;
    });
  }
  for (const id of request.destroy) {
    outcome.tryDestroy(id, () => {
      destroyMailbox(account, context, id, onDestroyRemoveEmails);
    });
  }
  return outcome;
}

function createInDependencyOrder(
  account: MailAccount,
  access: AccountAccess,
  context: MethodContext,
  creates: Record<string, Record<string, unknown>>,
  outcome: SetOutcome,
): void {
  // RFC 8620 section 5.3: a creation referenced by another create of the same call must happen first.
  let pending = Object.entries(creates);
  while (pending.length > 0) {
    const pendingIds = new Set(pending.map(([creationId]) => creationId));
    const waiting = pending.filter(([creationId, props]) => {
      const parent = props.parentId;
      return (
        typeof parent === 'string' &&
        parent.startsWith('#') &&
        parent.slice(1) !== creationId &&
        pendingIds.has(parent.slice(1))
      );
    });
    const ready = pending.filter((entry) => !waiting.includes(entry));
    // Nothing is ready: the rest wait on each other (a cycle) or on failed creations; let them fail.
    const batch = ready.length > 0 ? ready : waiting;
    for (const [creationId, props] of batch) {
      outcome.tryCreate(creationId, () => {
        const base: MailboxFields = { name: '', parentId: null, role: null, sortOrder: 0, isSubscribed: true };
        if (props.name === undefined) throw invalidProperties(['name'], 'a Mailbox needs a name');
        const serverSet = MAILBOX_SERVER_SET.filter((property) => property in props);
        if (serverSet.length > 0) throw invalidProperties(serverSet, 'server-set properties cannot be given on create');
        const fields = applyPatch(account, access, context, undefined, props, base);
        checkConstraints(account, fields, undefined);
        const mailbox = account.createMailbox(fields);
        context.createdIds.set(creationId, mailbox.id);
        // The response lists server-set properties and defaults the client did not send.
        const full = renderMailbox(account, mailbox, access);
        const created: Record<string, unknown> = { id: mailbox.id };
        for (const [property, value] of Object.entries(full)) if (!(property in props)) created[property] = value;
        return created;
      });
    }
    pending = batch === ready ? waiting : [];
  }
}

/** Applies a PatchObject (or a whole new Mailbox) to the fields; `invalidProperties` lists every bad one. */
function applyPatch(
  account: MailAccount,
  access: AccountAccess,
  context: MethodContext,
  current: MailboxRecord | undefined,
  patch: Record<string, unknown>,
  base: MailboxFields | undefined = current,
): MailboxFields {
  if (!base) throw new Error('applyPatch needs the current Mailbox or a base');
  const next: { -readonly [K in keyof MailboxFields]: MailboxFields[K] } = { ...base };
  const invalid: string[] = [];
  const rendered = current && renderMailbox(account, current, access);
  for (const [path, value] of Object.entries(patch)) {
    const [property, ...inner] = path.split('/');
    if (inner.length > 0) {
      // Only server-set objects have members; a patch may name them only with their current value.
      const currentValue =
        property === 'myRights' && rendered
          ? (rendered.myRights as Record<string, unknown>)[inner.join('/')]
          : undefined;
      if (currentValue === undefined)
        throw new SetError('invalidPatch', `"${path}" does not point into a patchable object`);
      if (!isDeepStrictEqual(currentValue, value)) invalid.push(property);
      continue;
    }
    switch (property) {
      case 'name':
        if (typeof value === 'string' && isValidName(value)) next.name = value;
        else invalid.push(property);
        break;
      case 'parentId':
        if (value === null) next.parentId = null;
        else {
          const parentId = typeof value === 'string' ? resolveCreationRef(context, value) : undefined;
          if (parentId !== undefined && account.mailbox(parentId)) next.parentId = parentId;
          else invalid.push(property);
        }
        break;
      case 'role':
        if (value === null) next.role = null;
        else if (typeof value === 'string' && MAILBOX_ROLES.has(value)) next.role = value;
        else invalid.push(property);
        break;
      case 'sortOrder':
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) next.sortOrder = value;
        else invalid.push(property);
        break;
      case 'isSubscribed':
        if (typeof value === 'boolean') next.isSubscribed = value;
        else invalid.push(property);
        break;
      default:
        // RFC 8620 section 5.3: a server-set property may be sent back unchanged, nothing else.
        if (!(
          rendered &&
          (MAILBOX_SERVER_SET as readonly string[]).includes(property) &&
          isDeepStrictEqual(rendered[property], value)
        )) {
          invalid.push(property);
        }
    }
  }
  if (invalid.length > 0) throw invalidProperties(invalid);
  return next;
}

function isValidName(name: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- the length in code points, as it always was
  const length = [...name].length;
  // eslint-disable-next-line no-control-regex -- RFC 8621 section 2: a Mailbox name has no control characters
  return length > 0 && length <= MAIL_ACCOUNT_CAPABILITY.maxSizeMailboxName && !/[\u0000-\u001f\u007f]/.test(name);
}

/** Rules across Mailboxes: unique names among siblings, unique roles, no cycles, bounded depth. */
function checkConstraints(account: MailAccount, fields: MailboxFields, selfId: string | undefined): void {
  const others = account.mailboxes().filter((mailbox) => mailbox.id !== selfId);
  if (others.some((mailbox) => mailbox.parentId === fields.parentId && mailbox.name === fields.name)) {
    throw invalidProperties(['name'], 'a sibling Mailbox already has this name');
  }
  if (fields.role !== null && others.some((mailbox) => mailbox.role === fields.role)) {
    throw invalidProperties(['role'], `another Mailbox already has the role "${fields.role}"`);
  }
  let depth = 1;
  for (let parentId = fields.parentId; parentId !== null; parentId = account.mailbox(parentId)?.parentId ?? null) {
    if (parentId === selfId) throw invalidProperties(['parentId'], 'a Mailbox cannot be its own ancestor');
    if (++depth > MAIL_ACCOUNT_CAPABILITY.maxMailboxDepth)
      throw invalidProperties(['parentId'], 'the Mailbox tree would be too deep');
  }
}

function destroyMailbox(
  account: MailAccount,
  context: MethodContext,
  requestedId: string,
  onDestroyRemoveEmails: boolean,
): void {
  const id = resolveCreationRef(context, requestedId);
  const mailbox = id === undefined ? undefined : account.mailbox(id);
  if (!mailbox) throw new SetError('notFound');
  if (mailbox.role === 'inbox')
    throw new SetError('forbidden', 'the Inbox receives delivered mail and cannot be destroyed');
  if (account.mailboxes().some((other) => other.parentId === mailbox.id)) throw new SetError('mailboxHasChild');
  const emailIds = [...account.emailIdsIn(mailbox.id)];
  if (emailIds.length > 0 && !onDestroyRemoveEmails) throw new SetError('mailboxHasEmail');
  // RFC 8621 section 2.5: Emails only in this Mailbox are destroyed, the others just leave it.
  for (const emailId of emailIds) {
    const email = account.email(emailId);
    if (!email) continue; // listed by emailIdsIn(), so it exists
    if (email.mailboxIds.size === 1) account.destroyEmail(emailId);
    else
      account.updateEmail(emailId, {
        mailboxIds: new Set([...email.mailboxIds].filter((other) => other !== mailbox.id)),
      });
  }
  account.destroyMailbox(mailbox.id);
}

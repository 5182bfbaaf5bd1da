import { Injectable, OnModuleInit } from '@nestjs/common';
import { resolveAccount, resolveCreationRef } from '../../api/account-resolver';
import { ArgumentReader } from '../../api/argument-reader';
import { MAIL_CAPABILITY } from '../../api/capabilities';
import type { MethodContext } from '../../api/method-context';
import { MethodError } from '../../api/method-error';
import { MethodRegistry } from '../../api/method-registry.service';
import { computeChanges } from '../../api/standard/changes-method';
import { refuseQueryChanges } from '../../api/standard/query-changes-method';
import { fetchRecords, project, selectProperties } from '../../api/standard/get-method';
import { applyQueryWindow, QUERY_WINDOW_ARGUMENTS } from '../../api/standard/query-window';
import { readSetRequest, SET_ARGUMENTS } from '../../api/standard/set-outcome';
import { MailStore } from '../../store/mail-store.service';
import { setMailboxes } from './mailbox-set';
import { queryMailboxes } from './mailbox-query';
import { MAILBOX_COUNT_PROPERTIES, MAILBOX_PROPERTIES, renderMailbox } from './mailbox-view';

/** Mailbox/get, /changes, /query, /queryChanges and /set (RFC 8621 section 2). */
@Injectable()
export class MailboxMethods implements OnModuleInit {
  constructor(
    private readonly registry: MethodRegistry,
    private readonly store: MailStore,
  ) {}

  onModuleInit(): void {
    this.registry.register('Mailbox/get', MAIL_CAPABILITY, (args, context) => this.get(args, context));
    this.registry.register('Mailbox/changes', MAIL_CAPABILITY, (args, context) => this.changes(args, context));
    this.registry.register('Mailbox/query', MAIL_CAPABILITY, (args, context) => this.query(args, context));
    this.registry.register('Mailbox/queryChanges', MAIL_CAPABILITY, (args, context) =>
      this.queryChanges(args, context),
    );
    this.registry.register('Mailbox/set', MAIL_CAPABILITY, (args, context) => this.set(args, context));
  }

  get(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, ['accountId', 'ids', 'properties']);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    const access = context.user.accounts.get(account.accountId);
    if (!access) throw new MethodError('accountNotFound', `no account "${account.accountId}" for this user`);
    const properties = selectProperties(reader, 'properties', MAILBOX_PROPERTIES, MAILBOX_PROPERTIES);
    const state = account.state('Mailbox');
    const { list, notFound } = fetchRecords(
      reader,
      context,
      (id) => account.mailbox(id),
      () => account.mailboxes(),
      (mailbox) => project(renderMailbox(account, mailbox, access), properties),
    );
    return { accountId: account.accountId, state, list, notFound };
  }

  changes(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, ['accountId', 'sinceState', 'maxChanges']);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    const { response, onlyCountsUpdated } = computeChanges(account, 'Mailbox', reader);
    // RFC 8621 section 2.2: name the count properties when nothing else of any updated Mailbox changed.
    return { ...response, updatedProperties: onlyCountsUpdated ? [...MAILBOX_COUNT_PROPERTIES] : null };
  }

  query(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, [
      'accountId',
      'filter',
      'sort',
      'sortAsTree',
      'filterAsTree',
      ...QUERY_WINDOW_ARGUMENTS,
    ]);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    const access = context.user.accounts.get(account.accountId);
    if (!access) throw new MethodError('accountNotFound', `no account "${account.accountId}" for this user`);
    const ids = queryMailboxes(account, reader, context, access.isPersonal);
    return {
      accountId: account.accountId,
      // The Mailbox state covers everything a Mailbox query depends on.
      queryState: account.state('Mailbox'),
      canCalculateChanges: false,
      ...applyQueryWindow(ids, reader, (id) => resolveCreationRef(context, id)),
    };
  }

  queryChanges(args: Record<string, unknown>, context: MethodContext): never {
    return refuseQueryChanges(this.store, args, context, 'Mailbox', ['sortAsTree', 'filterAsTree']);
  }

  set(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, [...SET_ARGUMENTS, 'onDestroyRemoveEmails']);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'write');
    const access = context.user.accounts.get(account.accountId);
    if (!access) throw new MethodError('accountNotFound', `no account "${account.accountId}" for this user`);
    const oldState = account.state('Mailbox');
    const request = readSetRequest(reader, oldState);
    const onDestroyRemoveEmails = reader.boolean('onDestroyRemoveEmails', false);
    const outcome = this.store.write(account.accountId, (writable) =>
      setMailboxes(writable, access, context, request, onDestroyRemoveEmails),
    );
    return outcome.toResponse(account.accountId, oldState, account.state('Mailbox'));
  }
}

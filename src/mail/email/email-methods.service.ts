import { Injectable, OnModuleInit } from '@nestjs/common';
import { resolveAccount, resolveCreationRef } from '../../api/account-resolver';
import { ArgumentReader } from '../../api/argument-reader';
import { MAIL_CAPABILITY } from '../../api/capabilities';
import type { MethodContext } from '../../api/method-context';
import { SetError } from '../../api/method-error';
import { MethodRegistry } from '../../api/method-registry.service';
import { computeChanges } from '../../api/standard/changes-method';
import { refuseQueryChanges } from '../../api/standard/query-changes-method';
import { fetchRecords, selectProperties } from '../../api/standard/get-method';
import { applyQueryWindow, QUERY_WINDOW_ARGUMENTS } from '../../api/standard/query-window';
import { readSetRequest, SET_ARGUMENTS, SetOutcome } from '../../api/standard/set-outcome';
import { MailStore } from '../../store/mail-store.service';
import { buildNewEmail } from './email-create';
import { queryEmails } from './email-query';
import { updateEmail } from './email-update';
import {
  BODY_PART_PROPERTIES,
  DEFAULT_BODY_PROPERTIES,
  DEFAULT_EMAIL_PROPERTIES,
  EMAIL_PROPERTIES,
  renderEmail,
} from './email-view';

/** Email/get, /changes, /query, /queryChanges and /set (RFC 8621 section 4). */
@Injectable()
export class EmailMethods implements OnModuleInit {
  constructor(
    private readonly registry: MethodRegistry,
    private readonly store: MailStore,
  ) {}

  onModuleInit(): void {
    this.registry.register('Email/get', MAIL_CAPABILITY, (args, context) => this.get(args, context));
    this.registry.register('Email/changes', MAIL_CAPABILITY, (args, context) => this.changes(args, context));
    this.registry.register('Email/query', MAIL_CAPABILITY, (args, context) => this.query(args, context));
    this.registry.register('Email/queryChanges', MAIL_CAPABILITY, (args, context) => this.queryChanges(args, context));
    this.registry.register('Email/set', MAIL_CAPABILITY, (args, context) => this.set(args, context));
  }

  get(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, [
      'accountId',
      'ids',
      'properties',
      'bodyProperties',
      'fetchTextBodyValues',
      'fetchHTMLBodyValues',
      'fetchAllBodyValues',
      'maxBodyValueBytes',
    ]);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    const properties = selectProperties(reader, 'properties', EMAIL_PROPERTIES, DEFAULT_EMAIL_PROPERTIES);
    const bodyProperties = selectProperties(reader, 'bodyProperties', BODY_PART_PROPERTIES, DEFAULT_BODY_PROPERTIES, {
      withId: false,
    });
    const options = {
      fetchTextBodyValues: reader.boolean('fetchTextBodyValues', false),
      fetchHTMLBodyValues: reader.boolean('fetchHTMLBodyValues', false),
      fetchAllBodyValues: reader.boolean('fetchAllBodyValues', false),
      maxBodyValueBytes: reader.unsignedInt('maxBodyValueBytes') ?? 0,
    };
    const state = account.state('Email');
    const { list, notFound } = fetchRecords(
      reader,
      context,
      (id) => account.email(id),
      () => account.emails(),
      (email) => renderEmail(email, properties, bodyProperties, options),
    );
    return { accountId: account.accountId, state, list, notFound };
  }

  changes(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, ['accountId', 'sinceState', 'maxChanges']);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    return computeChanges(account, 'Email', reader).response;
  }

  query(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, [
      'accountId',
      'filter',
      'sort',
      'collapseThreads',
      ...QUERY_WINDOW_ARGUMENTS,
    ]);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    const ids = queryEmails(account, reader, context);
    return {
      accountId: account.accountId,
      // Every change that can move a query result (new, destroyed, keywords, mailboxIds) moves the Email state.
      queryState: account.state('Email'),
      canCalculateChanges: false,
      ...applyQueryWindow(ids, reader, (id) => resolveCreationRef(context, id)),
    };
  }

  queryChanges(args: Record<string, unknown>, context: MethodContext): never {
    return refuseQueryChanges(this.store, args, context, 'Email', ['collapseThreads']);
  }

  set(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, SET_ARGUMENTS);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'write');
    const oldState = account.state('Email');
    const request = readSetRequest(reader, oldState);
    const now = new Date();
    const outcome = this.store.write(account.accountId, (writable) => {
      const result = new SetOutcome();
      for (const [creationId, props] of Object.entries(request.create)) {
        result.tryCreate(creationId, () => {
          const email = writable.createEmail(buildNewEmail(writable, context, props, now));
          context.createdIds.set(creationId, email.id);
          // RFC 8621 section 4.6: id, blobId, threadId and size are always returned for a create.
          return {
            id: email.id,
            blobId: email.blobId,
            threadId: email.threadId,
            size: email.size,
            ...(props.keywords === undefined && { keywords: {} }),
            ...(props.receivedAt === undefined && { receivedAt: email.receivedAt }),
          };
        });
      }
      for (const [requestedId, patch] of Object.entries(request.update)) {
        result.tryUpdate(requestedId, () => {
          const id = resolveCreationRef(context, requestedId);
          const email = id === undefined ? undefined : writable.email(id);
          if (!email) throw new SetError('notFound');
          updateEmail(writable, context, email, patch);
          return null;
        });
      }
      for (const requestedId of request.destroy) {
        result.tryDestroy(requestedId, () => {
          const id = resolveCreationRef(context, requestedId);
          if (id === undefined || !writable.email(id)) throw new SetError('notFound');
          writable.destroyEmail(id);
        });
      }
      return result;
    });
    return outcome.toResponse(account.accountId, oldState, account.state('Email'));
  }
}

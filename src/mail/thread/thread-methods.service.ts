import { Injectable, OnModuleInit } from '@nestjs/common';
import { resolveAccount } from '../../api/account-resolver';
import { ArgumentReader } from '../../api/argument-reader';
import { MAIL_CAPABILITY } from '../../api/capabilities';
import type { MethodContext } from '../../api/method-context';
import { MethodRegistry } from '../../api/method-registry.service';
import { computeChanges } from '../../api/standard/changes-method';
import { fetchRecords, project, selectProperties } from '../../api/standard/get-method';
import { MailStore } from '../../store/mail-store.service';

const THREAD_PROPERTIES = ['id', 'emailIds'] as const;

/** Thread/get and Thread/changes (RFC 8621 section 3). */
@Injectable()
export class ThreadMethods implements OnModuleInit {
  constructor(
    private readonly registry: MethodRegistry,
    private readonly store: MailStore,
  ) {}

  onModuleInit(): void {
    this.registry.register('Thread/get', MAIL_CAPABILITY, (args, context) => this.get(args, context));
    this.registry.register('Thread/changes', MAIL_CAPABILITY, (args, context) => this.changes(args, context));
  }

  get(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, ['accountId', 'ids', 'properties']);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    const properties = selectProperties(reader, 'properties', THREAD_PROPERTIES, THREAD_PROPERTIES);
    const state = account.state('Thread');
    const { list, notFound } = fetchRecords(
      reader,
      context,
      (id) => account.thread(id),
      () => account.threads(),
      (thread) => project({ id: thread.id, emailIds: [...thread.emailIds] }, properties),
    );
    return { accountId: account.accountId, state, list, notFound };
  }

  changes(args: Record<string, unknown>, context: MethodContext): Record<string, unknown> {
    const reader = new ArgumentReader(args, ['accountId', 'sinceState', 'maxChanges']);
    const account = resolveAccount(this.store, context, reader.requiredString('accountId'), 'read');
    return computeChanges(account, 'Thread', reader).response;
  }
}

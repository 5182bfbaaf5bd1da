import { Injectable, OnModuleInit } from '@nestjs/common';
import { UserDirectory } from '../auth/user-directory.service';
import { MailAccount } from './mail-account';
import { MAIL_DATA_TYPES, type MailDataType } from './mail-model';
import { StateTokens } from './state-token';

/** A committed write: the account and the new state of every type that changed in it. */
export interface CommittedChange {
  readonly accountId: string;
  readonly changed: Readonly<Partial<Record<MailDataType, string>>>;
}

export type CommitListener = (change: CommittedChange) => void;

/**
 * The in-memory mail store: one `MailAccount` per configured user.
 *
 * Every change goes through `write()`. When the callback returns (or throws after changing something),
 * the states that moved are handed to the commit listeners: that single exit is where the push
 * publisher hears of every change, so nothing can change a state without it being pushed.
 */
@Injectable()
export class MailStore implements OnModuleInit {
  private readonly accounts = new Map<string, MailAccount>();
  private readonly listeners = new Set<CommitListener>();
  readonly tokens = new StateTokens();

  constructor(private readonly users: UserDirectory) {}

  onModuleInit(): void {
    for (const user of this.users.all()) {
      if (!this.accounts.has(user.accountId)) {
        this.accounts.set(user.accountId, new MailAccount(user.accountId, this.tokens));
      }
    }
  }

  /** An account for reading; `undefined` when it does not exist. */
  account(accountId: string): MailAccount | undefined {
    return this.accounts.get(accountId);
  }

  /**
   * Runs `mutate` as one write of one account and reports the states it changed. JavaScript runs it to
   * the end without interleaving, so a write is atomic for every reader; `mutate` must not await.
   */
  write<T>(accountId: string, mutate: (account: MailAccount) => T): T {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    const before = account.states();
    account.beginWrite();
    try {
      return mutate(account);
    } finally {
      account.endWrite();
      this.commit(accountId, before, account.states());
    }
  }

  /** Registers a listener for every committed change; returns its removal. */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(accountId: string, before: Record<MailDataType, string>, after: Record<MailDataType, string>): void {
    const changed: Partial<Record<MailDataType, string>> = {};
    for (const type of MAIL_DATA_TYPES) if (before[type] !== after[type]) changed[type] = after[type];
    if (Object.keys(changed).length === 0) return;
    for (const listener of this.listeners) listener({ accountId, changed });
  }
}

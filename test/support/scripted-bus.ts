import { InMemoryPushBus, type ChangeListener, type MergedChanges, type PushBus, type TypeState } from 'jmap-push';

type MaybePromise<T> = T | Promise<T>;

/**
 * An in-memory bus whose history reads a test can replace, to play a store that is slow, throws or
 * rejects (as Redis does when it is down). Everything else is the real in-memory bus.
 */
export class ScriptedBus implements PushBus {
  readonly inner = new InMemoryPushBus();
  changesSinceHook: ((id: string, accounts: readonly string[]) => MaybePromise<MergedChanges | undefined>) | undefined;
  latestStatesHook: ((accounts: readonly string[]) => MaybePromise<MergedChanges>) | undefined;

  publish(accountId: string, changed: TypeState): Promise<string> {
    return this.inner.publish(accountId, changed);
  }
  listen(listener: ChangeListener): () => void {
    return this.inner.listen(listener);
  }
  currentId(): string {
    return this.inner.currentId();
  }
  changesSince(id: string, accounts: readonly string[]): MaybePromise<MergedChanges | undefined> {
    return this.changesSinceHook ? this.changesSinceHook(id, accounts) : this.inner.changesSince(id, accounts);
  }
  latestStates(accounts: readonly string[]): MaybePromise<MergedChanges> {
    return this.latestStatesHook ? this.latestStatesHook(accounts) : this.inner.latestStates(accounts);
  }
}

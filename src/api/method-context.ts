import type { PushSubscriptionCaller } from 'jmap-push';
import type { JmapUser } from '../auth/jmap-user';

/** What one method call can see of its request. */
export interface MethodContext {
  readonly user: JmapUser;
  /**
   * The user with the credential the request proved itself with (a password, a token, a browser
   * session): push subscriptions belong to the credential, not the user (RFC 8620 section 7.2).
   */
  readonly caller: PushSubscriptionCaller;
  /** The capabilities the request named in `using`. */
  readonly using: ReadonlySet<string>;
  /** Creation id to server id, shared by every call of the request (RFC 8620 section 5.3). */
  readonly createdIds: Map<string, string>;
}

/**
 * Arguments in, response arguments out; throws (or rejects with) `MethodError` to answer an error instead.
 * A handler that waits on I/O (a store in Redis, say) returns a Promise; the next call waits for it.
 */
export type MethodHandler = (
  args: Record<string, unknown>,
  context: MethodContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface MethodDefinition {
  readonly name: string;
  /** The capability the request must name in `using` to call this method. */
  readonly capability: string;
  readonly handler: MethodHandler;
}

import type { MaybePromise } from '../util/maybe-promise';
import type { Principal } from './principal.interface';

/**
 * DI token of the host's authenticator. The interface of the same name says what it must do.
 * Pass an instance as the `authenticator` module option.
 */
export const Authenticator = Symbol('Authenticator');

/**
 * The host application's user directory, as the event-source endpoint sees it.
 *
 * Return `null` for unknown users and wrong secrets alike (the client gets 401 either way). Compare
 * secrets with `constantTimeEquals` (or a password hash's own verify function), never with `===`.
 * A throw or a rejection is treated as the directory being unavailable: the client gets 503.
 */
export interface Authenticator {
  /** HTTP Basic: the decoded user name and password. */
  authenticateBasic(username: string, password: string): MaybePromise<Principal | null>;
  /** HTTP Bearer, optional: when absent, Bearer credentials are refused with 401. */
  authenticateBearer?(token: string): MaybePromise<Principal | null>;
  /**
   * Optional: the principal as it is now, for streams opened earlier. Called for every principal with
   * open streams each `revalidateIntervalMs`; return fewer `accountIds` when a grant was revoked, or
   * `null` to end the principal's streams. A throw keeps the streams as they are (a directory outage
   * should not disconnect everyone).
   */
  revalidate?(principal: Principal): MaybePromise<Principal | null>;
}

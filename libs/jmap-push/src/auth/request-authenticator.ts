import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import type { PushSettings } from '../push-settings';
import type { MaybePromise } from '../util/maybe-promise';
import { withTimeout } from '../util/with-timeout';
import type { Authentication } from './authentication';
import { Authenticator } from './authenticator.interface';
import { BrowserSessions } from './browser-sessions';
import { parseCredentials } from './credentials';
import { isPrincipal } from './is-principal';
import type { Principal } from './principal.interface';

function hasSeveralAuthorizations(request: IncomingMessage): boolean {
  let seen = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].length === 13 && request.rawHeaders[i].toLowerCase() === 'authorization') seen++;
  }
  return seen > 1;
}

/**
 * Who a request is: HTTP Basic (and, when the authenticator verifies tokens, Bearer), or, where the
 * caller allows it, a browser session cookie when no `Authorization` is sent. Used by `PushAuthGuard`
 * for Nest routes and by channels that authenticate outside Nest's pipeline (a WebSocket handshake).
 * Every refusal is problem details: 400 for two `Authorization` headers, 401 with a challenge, 503 when
 * the directory fails or hangs; never a 500.
 */
@Injectable()
export class RequestAuthenticator {
  private readonly challenges: string[];
  /** For a refused session cookie: a scheme browsers do not answer with a password dialog. */
  private readonly sessionChallenge: string;

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly metrics: PushMetrics,
    private readonly sessions: BrowserSessions,
  ) {
    this.challenges = [`Basic realm="${settings.realm}", charset="UTF-8"`];
    if (authenticator.authenticateBearer) this.challenges.push(`Bearer realm="${settings.realm}"`);
    this.sessionChallenge = `Session realm="${settings.realm}"`;
  }

  /**
   * The request's authentication, or a thrown (or rejected) `ProblemDetailsException`. Synchronous when the
   * authenticator answers synchronously: no promise, timer or turn of the event loop on that path.
   */
  authenticate(request: IncomingMessage, acceptsSessionCookie: boolean): MaybePromise<Authentication> {
    if (hasSeveralAuthorizations(request)) {
      this.metrics.rejected('badRequest');
      // Node keeps the first of repeated `Authorization` headers; which one a proxy or the client meant
      // is anyone's guess, so none is used.
      throw ProblemDetailsException.plain(400, 'The request carries more than one Authorization header');
    }
    const bySession = acceptsSessionCookie && this.usesSessionCookie(request);
    const authentication = bySession ? this.authenticateSession(request) : this.authenticateHeader(request);
    return authentication instanceof Promise
      ? authentication.then((found) => this.acceptOrRefuse(found, bySession))
      : this.acceptOrRefuse(authentication, bySession);
  }

  private acceptOrRefuse(authentication: Authentication | null, bySession: boolean): Authentication {
    if (authentication) return authentication;
    this.metrics.rejected('unauthorized');
    // A browser that sent a stale cookie must not meet a Basic challenge: the browser would ask its user
    // for a password on the page's behalf. The page signs in again instead.
    throw bySession
      ? ProblemDetailsException.plain(401, 'The session has expired or was revoked; sign in again', {
          'WWW-Authenticate': this.sessionChallenge,
        })
      : ProblemDetailsException.plain(401, 'Valid credentials are required', {
          'WWW-Authenticate': this.challenges,
        });
  }

  /** No `Authorization` and a session cookie: the browser path. */
  private usesSessionCookie(request: IncomingMessage): boolean {
    return request.headers.authorization === undefined && this.sessions.enabled && this.sessions.hasCookie(request);
  }

  private authenticateSession(request: IncomingMessage): MaybePromise<Authentication | null> {
    const session = this.sessions.sessionOf(request);
    if (!session) return null;
    const asAuthentication = (principal: Principal): Authentication => ({
      principal,
      session: { id: session.id, issuedAt: session.issuedAt, expiresAt: session.expiresAt },
    });
    // A session carries the principal as it was at sign-in; the directory has the last word when it can.
    const revalidate = this.authenticator.revalidate?.bind(this.authenticator);
    if (!revalidate) return asAuthentication(session.principal);
    return then(
      this.ask(() => revalidate(session.principal)),
      (principal) => {
        if (principal?.id !== session.principal.id) return null;
        // The session may have signed out or expired while the directory was asked: its sign-out found no
        // subscription to end yet, so this one must not be made.
        if (this.sessions.sessionOf(request)?.id !== session.id) return null;
        return asAuthentication(principal);
      },
    );
  }

  private authenticateHeader(request: IncomingMessage): MaybePromise<Authentication | null> {
    const credentials = parseCredentials(request.headers.authorization);
    if (!credentials) return null;
    let principal: MaybePromise<Principal | null>;
    if (credentials.scheme === 'basic') {
      principal = this.ask(() => this.authenticator.authenticateBasic(credentials.username, credentials.password));
    } else {
      const bearer = this.authenticator.authenticateBearer?.bind(this.authenticator);
      if (!bearer) return null;
      principal = this.ask(() => bearer(credentials.token));
    }
    return then(principal, (found) => found && { principal: found });
  }

  /**
   * Calls the host's directory; a throw, a rejection or a timeout is a 503, a malformed answer a 401
   * (`null`). Only an answer that is still to come gets the deadline: a synchronous one is there already.
   */
  private ask(call: () => MaybePromise<Principal | null>): MaybePromise<Principal | null> {
    let answer: MaybePromise<Principal | null>;
    try {
      answer = call();
    } catch {
      throw this.unavailable();
    }
    if (!isThenable(answer)) return isPrincipal(answer) ? answer : null;
    const timeoutMs = this.settings.authenticationTimeoutMs;
    return withTimeout(
      () => Promise.resolve(answer),
      timeoutMs,
      () => new Error('authenticator timed out'),
    ).then(
      (principal) => (isPrincipal(principal) ? principal : null),
      () => {
        throw this.unavailable();
      },
    );
  }

  private unavailable(): ProblemDetailsException {
    this.metrics.rejected('unavailable');
    return ProblemDetailsException.plain(503, 'The user directory is unavailable', {
      'Retry-After': String(this.settings.retryAfterSeconds),
    });
  }
}

/** A promise, or a promise-like of another library's: an answer still to come. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `next(value)`, now or once `value` (one of this file's own promises) settles. */
function then<T, U>(value: MaybePromise<T>, next: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

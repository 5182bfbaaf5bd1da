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

  /** The request's authentication, or a thrown `ProblemDetailsException`. */
  async authenticate(request: IncomingMessage, acceptsSessionCookie: boolean): Promise<Authentication> {
    if (hasSeveralAuthorizations(request)) {
      this.metrics.rejected('badRequest');
      // Node keeps the first of repeated `Authorization` headers; which one a proxy or the client meant
      // is anyone's guess, so none is used.
      throw ProblemDetailsException.plain(400, 'The request carries more than one Authorization header');
    }
    const bySession = acceptsSessionCookie && this.usesSessionCookie(request);
    const authentication = await (bySession ? this.authenticateSession(request) : this.authenticateHeader(request));
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

  private async authenticateSession(request: IncomingMessage): Promise<Authentication | null> {
    const session = this.sessions.sessionOf(request);
    if (!session) return null;
    // A session carries the principal as it was at sign-in; the directory has the last word when it can.
    const revalidate = this.authenticator.revalidate?.bind(this.authenticator);
    const principal = revalidate ? await this.ask(() => revalidate(session.principal)) : session.principal;
    if (principal?.id !== session.principal.id) return null;
    // The session may have signed out or expired while the directory was asked: its sign-out found no
    // subscription to end yet, so this one must not be made.
    if (revalidate && this.sessions.sessionOf(request)?.id !== session.id) return null;
    return { principal, session: { id: session.id, issuedAt: session.issuedAt, expiresAt: session.expiresAt } };
  }

  private async authenticateHeader(request: IncomingMessage): Promise<Authentication | null> {
    const credentials = parseCredentials(request.headers.authorization);
    if (!credentials) return null;
    let principal: Principal | null = null;
    if (credentials.scheme === 'basic') {
      principal = await this.ask(() =>
        this.authenticator.authenticateBasic(credentials.username, credentials.password),
      );
    } else {
      const bearer = this.authenticator.authenticateBearer?.bind(this.authenticator);
      if (bearer) principal = await this.ask(() => bearer(credentials.token));
    }
    return principal && { principal };
  }

  /** Calls the host's directory with a deadline; a throw or a timeout is a 503, a malformed answer a 401. */
  private async ask(call: () => MaybePromise<Principal | null>): Promise<Principal | null> {
    try {
      const timeoutMs = this.settings.authenticationTimeoutMs;
      const principal = await withTimeout(call, timeoutMs, () => new Error('authenticator timed out'));
      return isPrincipal(principal) ? principal : null;
    } catch {
      this.metrics.rejected('unavailable');
      throw ProblemDetailsException.plain(503, 'The user directory is unavailable', {
        'Retry-After': String(this.settings.retryAfterSeconds),
      });
    }
  }
}

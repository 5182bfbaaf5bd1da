import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { AUTHENTICATION_REQUEST_KEY, PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import type { PushSettings } from '../push-settings';
import type { MaybePromise } from '../util/maybe-promise';
import { withTimeout } from '../util/with-timeout';
import { ACCEPTS_SESSION_COOKIE } from './accepts-session-cookie.decorator';
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
 * HTTP Basic (and, when the authenticator verifies tokens, Bearer) in front of the event source; on
 * routes marked `@AcceptsSessionCookie()`, a browser session cookie when no `Authorization` is sent.
 * Every failure is a 401 with a challenge, never a 500; a directory that fails or hangs is a 503.
 */
@Injectable()
export class PushAuthGuard implements CanActivate {
  private readonly challenges: string[];
  /** For a refused session cookie: a scheme browsers do not answer with a password dialog. */
  private readonly sessionChallenge: string;

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly metrics: PushMetrics,
    private readonly sessions: BrowserSessions,
    private readonly reflector: Reflector,
  ) {
    this.challenges = [`Basic realm="${settings.realm}", charset="UTF-8"`];
    if (authenticator.authenticateBearer) this.challenges.push(`Bearer realm="${settings.realm}"`);
    this.sessionChallenge = `Session realm="${settings.realm}"`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingMessage & Record<symbol, Authentication>>();
    if (hasSeveralAuthorizations(request)) {
      this.metrics.rejected('badRequest');
      // Node keeps the first of repeated `Authorization` headers; which one a proxy or the client meant
      // is anyone's guess, so none is used.
      throw ProblemDetailsException.plain(400, 'The request carries more than one Authorization header');
    }
    const bySession = this.usesSessionCookie(request, context);
    const authentication = await (bySession ? this.authenticateSession(request) : this.authenticateHeader(request));
    if (!authentication) {
      this.metrics.rejected('unauthorized');
      // A browser's EventSource that sent a stale cookie must not meet a Basic challenge: the browser
      // would ask its user for a password on the page's behalf. The page signs in again instead.
      throw bySession
        ? ProblemDetailsException.plain(401, 'The session has expired or was revoked; sign in again', {
            'WWW-Authenticate': this.sessionChallenge,
          })
        : ProblemDetailsException.plain(401, 'Valid credentials are required', {
            'WWW-Authenticate': this.challenges,
          });
    }
    request[AUTHENTICATION_REQUEST_KEY] = authentication;
    return true;
  }

  /** No `Authorization`, a session cookie, and a route that takes one: the browser path. */
  private usesSessionCookie(request: IncomingMessage, context: ExecutionContext): boolean {
    return (
      request.headers.authorization === undefined &&
      this.sessions.enabled &&
      this.sessions.hasCookie(request) &&
      this.reflector.get<boolean | undefined>(ACCEPTS_SESSION_COOKIE, context.getHandler()) === true
    );
  }

  private async authenticateSession(request: IncomingMessage): Promise<Authentication | null> {
    const session = this.sessions.sessionOf(request);
    if (!session) return null;
    // A session carries the principal as it was at sign-in; the directory has the last word when it can.
    const revalidate = this.authenticator.revalidate?.bind(this.authenticator);
    const principal = revalidate ? await this.ask(() => revalidate(session.principal)) : session.principal;
    if (principal?.id !== session.principal.id) return null;
    return { principal, session: { id: session.id, expiresAt: session.expiresAt } };
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

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { AUTHENTICATION_REQUEST_KEY } from '../jmap-push.internal-constants';
import { ACCEPTS_SESSION_COOKIE } from './accepts-session-cookie.decorator';
import type { Authentication } from './authentication';
import { RequestAuthenticator } from './request-authenticator';

/**
 * `RequestAuthenticator` in front of a Nest route: on routes marked `@AcceptsSessionCookie()` a browser
 * session cookie may stand in for an `Authorization` header. Read the result with `@PushAuthentication()`.
 */
@Injectable()
export class PushAuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  /** Synchronous when the authenticator is: Nest then goes on in the same turn. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingMessage & Record<symbol, Authentication>>();
    const acceptsCookie =
      this.reflector.get<boolean | undefined>(ACCEPTS_SESSION_COOKIE, context.getHandler()) === true;
    const authentication = this.authenticator.authenticate(request, acceptsCookie);
    if (!(authentication instanceof Promise)) {
      request[AUTHENTICATION_REQUEST_KEY] = authentication;
      return true;
    }
    return authentication.then((found) => {
      request[AUTHENTICATION_REQUEST_KEY] = found;
      return true;
    });
  }
}

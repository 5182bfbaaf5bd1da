import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AUTHENTICATION_REQUEST_KEY } from '../jmap-push.internal-constants';
import type { Authentication } from './authentication';
import type { Principal } from './principal.interface';

function authenticationOf(context: ExecutionContext): Authentication {
  return context.switchToHttp().getRequest<Record<symbol, Authentication>>()[AUTHENTICATION_REQUEST_KEY];
}

/** The principal `PushAuthGuard` authenticated for this request. */
export const PushPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => authenticationOf(context).principal,
);

/** All `PushAuthGuard` established: the principal, and the browser session when a cookie was used. */
export const PushAuthentication = createParamDecorator((_data: unknown, context: ExecutionContext): Authentication =>
  authenticationOf(context),
);

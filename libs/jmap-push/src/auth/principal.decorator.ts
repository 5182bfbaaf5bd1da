import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { PRINCIPAL_REQUEST_KEY } from '../jmap-push.internal-constants';
import type { Principal } from './principal.interface';

/** The principal `PushAuthGuard` authenticated for this request. */
export const PushPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<Record<symbol, Principal>>()[PRINCIPAL_REQUEST_KEY],
);

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { USER_KEY } from './jmap-auth.guard';
import type { AuthenticatedUser } from './jmap-user';

/** The user `JmapAuthGuard` authenticated for this request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser =>
    context.switchToHttp().getRequest<Record<string, AuthenticatedUser>>()[USER_KEY],
);

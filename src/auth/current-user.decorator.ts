import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { USER_KEY } from './basic-auth.guard';
import type { JmapUser } from './jmap-user';

/** The user `BasicAuthGuard` authenticated for this request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): JmapUser =>
    context.switchToHttp().getRequest<Record<string, JmapUser>>()[USER_KEY],
);

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { HttpRequest } from '../http/express-types';
import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { parseBasicCredentials } from './basic-credentials';
import type { JmapUser } from './jmap-user';
import { UserDirectory } from './user-directory.service';

/** The request property the guard leaves the authenticated user in (read it with `@CurrentUser()`). */
export const USER_KEY = 'jmapUser';

/** The challenge every 401 carries, so clients and browsers know to send Basic credentials. */
export const BASIC_CHALLENGE = 'Basic realm="JMAP", charset="UTF-8"';

/** HTTP Basic for the Session, API, upload and download resources; 401 with a challenge otherwise. */
@Injectable()
export class BasicAuthGuard implements CanActivate {
  constructor(private readonly users: UserDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<HttpRequest & { [USER_KEY]?: JmapUser }>();
    const credentials = parseBasicCredentials(request.headers.authorization);
    const user = credentials && this.users.authenticateBasic(credentials.username, credentials.password);
    if (!user) {
      throw new ProblemDetailsException(
        {
          type: JmapProblem.blank,
          status: 401,
          title: 'Unauthorized',
          detail: 'Valid Basic credentials are required.',
        },
        { 'WWW-Authenticate': BASIC_CHALLENGE },
      );
    }
    request[USER_KEY] = user;
    return true;
  }
}

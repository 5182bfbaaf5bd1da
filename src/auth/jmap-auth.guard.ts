import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { HttpRequest } from '../http/express-types';
import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { parseCredentials } from 'jmap-push';
import type { AuthenticatedUser } from './jmap-user';
import { UserDirectory } from './user-directory.service';

/** The request property the guard leaves the authenticated user in (read it with `@CurrentUser()`). */
export const USER_KEY = 'jmapUser';

/**
 * The challenges of every 401, the same as the event source's (one realm, one wording across the
 * server), so clients and browsers know to send Basic credentials or a Bearer token.
 */
export const AUTH_CHALLENGES: readonly string[] = ['Basic realm="JMAP", charset="UTF-8"', 'Bearer realm="JMAP"'];

/** HTTP Basic or Bearer for the Session, API, upload and download resources; 401 with challenges otherwise. */
@Injectable()
export class JmapAuthGuard implements CanActivate {
  constructor(private readonly users: UserDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<HttpRequest & { [USER_KEY]?: AuthenticatedUser }>();
    if (authorizationCount(request) > 1) {
      // Node keeps the first of two headers; a proxy in front may keep the last. Guessing could let one
      // party's credentials stand for another's, so neither is used.
      throw new ProblemDetailsException({
        type: JmapProblem.blank,
        status: 400,
        title: 'Bad Request',
        detail: 'The request carries more than one Authorization header',
      });
    }
    const credentials = parseCredentials(request.headers.authorization);
    let user: AuthenticatedUser | null | undefined;
    if (credentials?.scheme === 'basic')
      user = this.users.authenticateBasic(credentials.username, credentials.password);
    else if (credentials?.scheme === 'bearer') user = this.users.authenticateBearer(credentials.token);
    if (!user) {
      throw new ProblemDetailsException(
        { type: JmapProblem.blank, status: 401, title: 'Unauthorized', detail: 'Valid credentials are required' },
        { 'WWW-Authenticate': AUTH_CHALLENGES },
      );
    }
    request[USER_KEY] = user;
    return true;
  }
}

/** `rawHeaders` alternates names and values, and keeps every repetition that `headers` folds away. */
function authorizationCount(request: HttpRequest): number {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].toLowerCase() === 'authorization') count++;
  }
  return count;
}

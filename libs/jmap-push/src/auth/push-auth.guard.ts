import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { PRINCIPAL_REQUEST_KEY, PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import type { PushSettings } from '../push-settings';
import { Authenticator } from './authenticator.interface';
import { parseCredentials, type Credentials } from './credentials';
import { isPrincipal } from './is-principal';
import type { Principal } from './principal.interface';

/**
 * HTTP Basic (and, when the authenticator verifies tokens, Bearer) in front of the event source.
 * Every failure is a 401 with a challenge, never a 500; a directory that fails or hangs is a 503.
 */
@Injectable()
export class PushAuthGuard implements CanActivate {
  private readonly challenges: string[];

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly metrics: PushMetrics,
  ) {
    this.challenges = [`Basic realm="${settings.realm}", charset="UTF-8"`];
    if (authenticator.authenticateBearer) this.challenges.push(`Bearer realm="${settings.realm}"`);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingMessage & Record<symbol, Principal>>();
    const credentials = parseCredentials(request.headers.authorization);
    const principal = credentials && (await this.verify(credentials));
    if (!principal) {
      this.metrics.rejected('unauthorized');
      throw ProblemDetailsException.plain(401, 'Valid credentials are required', {
        'WWW-Authenticate': this.challenges,
      });
    }
    request[PRINCIPAL_REQUEST_KEY] = principal;
    return true;
  }

  private async verify(credentials: Credentials): Promise<Principal | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('authenticator timed out')), this.settings.authenticationTimeoutMs);
    });
    try {
      const verdict =
        credentials.scheme === 'basic'
          ? this.authenticator.authenticateBasic(credentials.username, credentials.password)
          : (this.authenticator.authenticateBearer?.(credentials.token) ?? null);
      const principal = await Promise.race([verdict, timeout]);
      return isPrincipal(principal) ? principal : null;
    } catch {
      this.metrics.rejected('unavailable');
      throw ProblemDetailsException.plain(503, 'The user directory is unavailable', {
        'Retry-After': String(this.settings.retryAfterSeconds),
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

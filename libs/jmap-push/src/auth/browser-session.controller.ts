import { Delete, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import { ProblemDetailsFilter } from '../problem/problem-details.filter';
import { BrowserSessions } from './browser-sessions';
import { PushPrincipal } from './principal.decorator';
import type { Principal } from './principal.interface';
import { PushAuthGuard } from './push-auth.guard';

/**
 * `POST {path}/session` signs a browser in for the event source (credentials in a header, answered with
 * a session cookie); `DELETE {path}/session` signs it out. Route set by `createEventSourceControllers`.
 */
@UseFilters(ProblemDetailsFilter)
export class BrowserSessionController {
  constructor(private readonly sessions: BrowserSessions) {}

  @Post()
  @HttpCode(204)
  @UseGuards(PushAuthGuard)
  signIn(@PushPrincipal() principal: Principal, @Res({ passthrough: true }) response: ServerResponse): void {
    this.assertEnabled();
    response.setHeader('Set-Cookie', this.sessions.signIn(principal));
    response.setHeader('Cache-Control', 'no-store');
  }

  @Delete()
  @HttpCode(204)
  signOut(@Req() request: IncomingMessage, @Res({ passthrough: true }) response: ServerResponse): void {
    this.assertEnabled();
    response.setHeader('Set-Cookie', this.sessions.signOut(request));
    response.setHeader('Cache-Control', 'no-store');
  }

  private assertEnabled(): void {
    if (!this.sessions.enabled) {
      throw ProblemDetailsException.plain(404, 'Browser sessions are not enabled on this server');
    }
  }
}

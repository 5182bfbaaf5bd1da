import { Controller, Get, Header, Inject, Req, UseGuards } from '@nestjs/common';
import type { HttpRequest } from '../http/express-types';
import { JmapAuthGuard } from '../auth/jmap-auth.guard';
import { CurrentUser } from '../auth/current-user.decorator';
import type { JmapUser } from '../auth/jmap-user';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { baseUrlOf } from './base-url';
import { SessionService } from './session.service';

/** `GET /.well-known/jmap` (RFC 8620 section 2.2): the Session, never cached. */
@Controller('.well-known/jmap')
@UseGuards(JmapAuthGuard)
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  session(@CurrentUser() user: JmapUser, @Req() request: HttpRequest): Record<string, unknown> {
    return this.sessions.build(user, baseUrlOf(this.config, request));
  }
}

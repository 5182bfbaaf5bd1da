import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The demo page at `/`: sign in, mailboxes, and push events live from the browser's own `EventSource` or `WebSocket`. */
@Module({ controllers: [WebController] })
export class WebModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionModule } from '../session/session.module';
import { ApiController } from './api.controller';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { MethodRegistry } from './method-registry.service';
import { RequestProcessor } from './request-processor.service';
import { WebSocketRequestHandler } from './websocket-request-handler';

/**
 * The JMAP API endpoint and its method registry; feature modules register their methods into it. The
 * push module's WebSocket runs its Requests through the same processor (`WebSocketRequestHandler`).
 */
@Module({
  imports: [AuthModule, SessionModule],
  controllers: [ApiController],
  providers: [MethodRegistry, RequestProcessor, ConcurrencyLimiter, WebSocketRequestHandler],
  exports: [MethodRegistry, ConcurrencyLimiter, WebSocketRequestHandler],
})
export class ApiModule {}

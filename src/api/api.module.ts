import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionModule } from '../session/session.module';
import { ApiController } from './api.controller';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { MethodRegistry } from './method-registry.service';
import { RequestProcessor } from './request-processor.service';

/** The JMAP API endpoint and its method registry; feature modules register their methods into it. */
@Module({
  imports: [AuthModule, SessionModule],
  controllers: [ApiController],
  providers: [MethodRegistry, RequestProcessor, ConcurrencyLimiter],
  exports: [MethodRegistry, ConcurrencyLimiter],
})
export class ApiModule {}

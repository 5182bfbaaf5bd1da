import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PushModule } from '../push/push.module';
import { SessionStateService } from './session-state.service';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';

/** The Session resource and its state. */
@Module({
  imports: [AuthModule, PushModule],
  controllers: [SessionController],
  providers: [SessionService, SessionStateService],
  exports: [SessionStateService],
})
export class SessionModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionStateService } from './session-state.service';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';

/** The Session resource and its state (the event source's URL comes from the global `PushModule`). */
@Module({
  imports: [AuthModule],
  controllers: [SessionController],
  providers: [SessionService, SessionStateService],
  exports: [SessionStateService],
})
export class SessionModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MailStore } from './mail-store.service';

/** The in-memory mail store; its accounts are those of the configured users. */
@Module({
  imports: [AuthModule],
  providers: [MailStore],
  exports: [MailStore],
})
export class StoreModule {}

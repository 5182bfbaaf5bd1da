import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { StoreModule } from '../store/store.module';
import { LmtpServer } from './lmtp-server.service';
import { MailDelivery } from './mail-delivery.service';

/** Mail delivery over LMTP into the store. */
@Module({
  imports: [AuthModule, StoreModule],
  providers: [LmtpServer, MailDelivery],
  exports: [LmtpServer, MailDelivery],
})
export class LmtpModule {}

import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { StoreModule } from '../store/store.module';
import { CoreMethods } from './core/core-methods.service';
import { EmailMethods } from './email/email-methods.service';
import { PushSubscriptionApi } from './core/push-subscription-api.service';
import { MailboxMethods } from './mailbox/mailbox-methods.service';
import { ThreadMethods } from './thread/thread-methods.service';

/**
 * The methods of RFC 8620 (Core, PushSubscription) and RFC 8621 (Mailbox, Email, Thread) over the store;
 * PushSubscription's are the global push module's.
 */
@Module({
  imports: [ApiModule, StoreModule],
  providers: [CoreMethods, PushSubscriptionApi, MailboxMethods, EmailMethods, ThreadMethods],
})
export class MailModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { AuthModule } from './auth/auth.module';
import { BlobModule } from './blob/blob.module';
import { ConfigModule } from './config/config.module';
import type { ServerConfig } from './config/server-config';
import { LmtpModule } from './lmtp/lmtp.module';
import { MailModule } from './mail/mail.module';
import { PushModule } from './push/push.module';
import { SessionModule } from './session/session.module';
import { StoreModule } from './store/store.module';
import { WebModule } from './web/web.module';

/** The reference JMAP mail server: Session, API, blobs, push, LMTP delivery over an in-memory store, and a demo page. */
@Module({})
export class AppModule {
  static forRoot(config: ServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        AuthModule,
        StoreModule,
        PushModule.forRoot(config),
        SessionModule,
        ApiModule,
        MailModule,
        BlobModule,
        LmtpModule,
        WebModule,
      ],
    };
  }
}

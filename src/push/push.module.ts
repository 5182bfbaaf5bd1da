import { Logger, Module } from '@nestjs/common';
import { JmapPushModule, type PushBus } from 'jmap-push';
import { AuthModule } from '../auth/auth.module';
import { UserDirectory } from '../auth/user-directory.service';
import { pushSessionSettings, SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { StoreModule } from '../store/store.module';
import { pushBusProvider, SERVER_PUSH_BUS } from './push-bus.factory';
import { ServerRedis } from './server-redis';
import { StateChangePublisher } from './state-change-publisher.service';

/** Holds the bus choice so `JmapPushModule`'s factory can inject it. */
@Module({ providers: [ServerRedis, pushBusProvider], exports: [pushBusProvider] })
class PushBusModule {}

/**
 * RFC 8620 section 7.3 push: the module's event source, fed by the store's commits, with browser sign-in
 * (a session cookie minted at `POST /jmap/eventsource/session`) for the page's native `EventSource`.
 */
@Module({
  imports: [
    StoreModule,
    JmapPushModule.forRootAsync({
      imports: [AuthModule, PushBusModule],
      inject: [UserDirectory, SERVER_PUSH_BUS, SERVER_CONFIG],
      useFactory: (users: UserDirectory, choice: { bus: PushBus | undefined }, config: ServerConfig) => {
        const sessions = pushSessionSettings(config);
        if (sessions.derived) {
          new Logger('PushModule').warn(
            'PUSH_SESSION_SECRET is not set: browser sessions use a key derived from JMAP_USERS (development only)',
          );
        }
        return {
          authenticator: users,
          browserSessions: { secret: sessions.secret, secure: sessions.secure },
          ...(choice.bus && { bus: choice.bus }),
        };
      },
    }),
  ],
  providers: [StateChangePublisher],
  exports: [JmapPushModule, StateChangePublisher],
})
export class PushModule {}

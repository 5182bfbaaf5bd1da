import { Module } from '@nestjs/common';
import { JmapPushModule, type PushBus } from 'jmap-push';
import { AuthModule } from '../auth/auth.module';
import { UserDirectory } from '../auth/user-directory.service';
import { StoreModule } from '../store/store.module';
import { pushBusProvider, SERVER_PUSH_BUS } from './push-bus.factory';
import { ServerRedis } from './server-redis';
import { StateChangePublisher } from './state-change-publisher.service';

/** Holds the bus choice so `JmapPushModule`'s factory can inject it. */
@Module({ providers: [ServerRedis, pushBusProvider], exports: [pushBusProvider] })
class PushBusModule {}

/** RFC 8620 section 7.3 push: the module's event source, fed by the store's commits. */
@Module({
  imports: [
    StoreModule,
    JmapPushModule.forRootAsync({
      imports: [AuthModule, PushBusModule],
      inject: [UserDirectory, SERVER_PUSH_BUS],
      useFactory: (users: UserDirectory, choice: { bus: PushBus | undefined }) => ({
        authenticator: users,
        ...(choice.bus && { bus: choice.bus }),
      }),
    }),
  ],
  providers: [StateChangePublisher],
  exports: [JmapPushModule, StateChangePublisher],
})
export class PushModule {}

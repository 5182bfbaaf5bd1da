import { DynamicModule, Logger, Module } from '@nestjs/common';
import { JmapPushModule, type PushBus, type PushSubscriptionStore } from 'jmap-push';
import { ApiModule } from '../api/api.module';
import { WebSocketRequestHandler } from '../api/websocket-request-handler';
import { AuthModule } from '../auth/auth.module';
import { UserDirectory } from '../auth/user-directory.service';
import { pushSessionSettings } from '../config/push-session-settings';
import type { ServerConfig } from '../config/server-config';
import { StoreModule } from '../store/store.module';
import { pushBusProvider, SERVER_PUSH_BUS } from './push-bus.factory';
import { pushSubscriptionStoreProvider, SERVER_PUSH_SUBSCRIPTION_STORE } from './push-subscription-store.factory';
import { ServerRedis } from './server-redis';
import { StateChangePublisher } from './state-change-publisher.service';
import { GENERATED_VAPID_KEYS_WARNING, serverWebPush } from './web-push-options';
import { webSocketOptions } from './websocket-options';

/** Holds the bus and push subscription store choices so `JmapPushModule`'s factory can inject them. */
@Module({
  providers: [ServerRedis, pushBusProvider, pushSubscriptionStoreProvider],
  exports: [pushBusProvider, pushSubscriptionStoreProvider],
})
class PushBusModule {}

/**
 * Push, fed by the store's commits: the module's event source (RFC 8620 section 7.3), JMAP over
 * WebSocket (RFC 8887) at `/jmap/ws`, whose Requests run through the API, and PushSubscription over Web
 * Push (RFC 8620 section 7.2, RFC 8030), whose methods the API calls. Browser sign-in (a session cookie
 * minted at `POST /jmap/eventsource/session`) serves the page's native `EventSource` and `WebSocket`.
 * Global, so the Session and the API reach them wherever they are built.
 */
@Module({})
export class PushModule {
  /** The transport shapes the event source's routes, so it is chosen here, from the config, not in a factory. */
  static forRoot(config: ServerConfig): DynamicModule {
    const { transport, ...limits } = config.pushStreams;
    return {
      module: PushModule,
      global: true,
      imports: [
        StoreModule,
        JmapPushModule.forRootAsync({
          transport,
          // The factory below turns browser sessions on; forRootAsync cannot see that when it mounts routes.
          browserSignIn: true,
          imports: [AuthModule, PushBusModule, ApiModule],
          inject: [UserDirectory, SERVER_PUSH_BUS, SERVER_PUSH_SUBSCRIPTION_STORE, WebSocketRequestHandler],
          useFactory: (
            users: UserDirectory,
            choice: { bus: PushBus | undefined },
            subscriptions: { store: PushSubscriptionStore | undefined },
            api: WebSocketRequestHandler,
          ) => {
            const logger = new Logger('PushModule');
            const sessions = pushSessionSettings(config);
            if (sessions.derived) {
              logger.warn(
                'PUSH_SESSION_SECRET is not set: browser sessions use a key derived from JMAP_USERS, JMAP_TOKENS and JMAP_SHARES (development only)',
              );
            }
            const webPush = serverWebPush(config, subscriptions.store);
            if (webPush.generatedKeys) logger.warn(GENERATED_VAPID_KEYS_WARNING);
            return {
              ...limits,
              authenticator: users,
              browserSessions: { secret: sessions.secret, secure: sessions.secure },
              webSocket: webSocketOptions(config, api),
              webPush: webPush.options,
              ...(choice.bus && { bus: choice.bus }),
            };
          },
        }),
      ],
      providers: [StateChangePublisher],
      exports: [JmapPushModule, StateChangePublisher],
    };
  }
}

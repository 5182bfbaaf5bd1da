import { DynamicModule, Logger, Module } from '@nestjs/common';
import { JmapPushModule, type PushBus } from 'jmap-push';
import { ApiModule } from '../api/api.module';
import { WebSocketRequestHandler } from '../api/websocket-request-handler';
import { AuthModule } from '../auth/auth.module';
import { UserDirectory } from '../auth/user-directory.service';
import { pushSessionSettings } from '../config/push-session-settings';
import type { ServerConfig } from '../config/server-config';
import { StoreModule } from '../store/store.module';
import { pushBusProvider, SERVER_PUSH_BUS } from './push-bus.factory';
import { ServerRedis } from './server-redis';
import { StateChangePublisher } from './state-change-publisher.service';
import { webSocketOptions } from './websocket-options';

/** Holds the bus choice so `JmapPushModule`'s factory can inject it. */
@Module({ providers: [ServerRedis, pushBusProvider], exports: [pushBusProvider] })
class PushBusModule {}

/**
 * Push, fed by the store's commits: the module's event source (RFC 8620 section 7.3) and JMAP over
 * WebSocket (RFC 8887) at `/jmap/ws`, whose Requests run through the API. Browser sign-in (a session
 * cookie minted at `POST /jmap/eventsource/session`) serves the page's native `EventSource` and
 * `WebSocket`. Global, so the Session can name both wherever it is built.
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
          inject: [UserDirectory, SERVER_PUSH_BUS, WebSocketRequestHandler],
          useFactory: (users: UserDirectory, choice: { bus: PushBus | undefined }, api: WebSocketRequestHandler) => {
            const sessions = pushSessionSettings(config);
            if (sessions.derived) {
              new Logger('PushModule').warn(
                'PUSH_SESSION_SECRET is not set: browser sessions use a key derived from JMAP_USERS, JMAP_TOKENS and JMAP_SHARES (development only)',
              );
            }
            return {
              ...limits,
              authenticator: users,
              browserSessions: { secret: sessions.secret, secure: sessions.secure },
              webSocket: webSocketOptions(config, api),
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

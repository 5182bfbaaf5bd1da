import { ConsoleLogger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import {
  constantTimeEquals,
  JmapPushModule,
  PushMetrics,
  StateChangeService,
  type Authenticator,
  type JmapPushModuleExtras,
  type JmapPushModuleOptions,
  type Principal,
} from 'jmap-push';

/** A user of the test directory: their password and every account they may read. */
export interface TestUser {
  readonly password: string;
  readonly accountIds: readonly string[];
}

/** The directory most tests use: bob reads his own account and alice's shared one; alice only hers. */
export const DEFAULT_USERS: Record<string, TestUser> = {
  'bob@example.com': {
    password: 'bob-secret',
    accountIds: ['acc-bob', 'acc-alice'],
  },
  'alice@example.com': { password: 'alice-secret', accountIds: ['acc-alice'] },
  'carol@example.com': { password: 'carol-secret', accountIds: ['acc-carol'] },
};

/** An authenticator over a fixed table, comparing passwords in constant time. */
export function tableAuthenticator(users: Record<string, TestUser>): Authenticator {
  return {
    authenticateBasic(username: string, password: string): Principal | null {
      const user = Object.prototype.hasOwnProperty.call(users, username) ? users[username] : undefined;
      if (!user || !constantTimeEquals(password, user.password)) return null;
      return { id: username, accountIds: user.accountIds };
    },
  };
}

export interface PushApp {
  readonly app: INestApplication;
  readonly baseUrl: string;
  readonly stateChanges: StateChangeService;
  readonly metrics: PushMetrics;
  /** The event-source URL with a query, e.g. `url('types=*&closeafter=no&ping=0')`. */
  url(query: string): string;
  close(): Promise<void>;
}

export type PushAppOptions = Partial<JmapPushModuleOptions> &
  JmapPushModuleExtras & {
    users?: Record<string, TestUser>;
    /** Imports this module instead of `JmapPushModule.forRoot(...)` built from the other options (e.g. `forRootAsync`). */
    module?: DynamicModule;
    /** Called before `listen`, e.g. to `enableCors`. */
    configure?: (app: INestApplication) => void;
  };

/** Boots a Nest app with only the push module, listening on a free loopback port. */
export async function startPushApp(options: PushAppOptions = {}): Promise<PushApp> {
  const { users = DEFAULT_USERS, module, configure, ...rest } = options;
  const moduleRef = await Test.createTestingModule({
    imports: [
      module ??
        JmapPushModule.forRoot({
          authenticator: tableAuthenticator(users),
          ping: { min: 1, max: 300 },
          ...rest,
        }),
    ],
  })
    // Errors and warnings print (Nest's testing logger drops warnings): a test that provokes one on
    // purpose silences exactly that one (`expectLogged`), so an unexpected one stands out.
    .setLogger(new ConsoleLogger({ logLevels: ['error', 'warn'] }))
    .compile();
  const app = moduleRef.createNestApplication();
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const path = (options.path ?? 'jmap/eventsource').replace(/^\/+/, '');
  return {
    app,
    baseUrl,
    stateChanges: app.get(StateChangeService),
    metrics: app.get(PushMetrics),
    url: (query: string) => `${baseUrl}/${path}?${query}`,
    close: () => app.close(),
  };
}

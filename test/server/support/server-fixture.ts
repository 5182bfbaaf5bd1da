import type { INestApplication } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app.factory';
import { accountIdFor } from '../../../src/auth/account-id';
import { loadServerConfig, type ServerConfig } from '../../../src/config/server-config';
import { LmtpServer } from '../../../src/lmtp/lmtp-server.service';
import { basicAuth } from '../../support/sse-client';

export const USING = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'];

/** The test users: bob shares his account with alice; carol shares nothing and sees nothing else. */
export const USERS = {
  alice: { username: 'alice@example.com', password: 'alice-secret', token: 'alice-token' },
  bob: { username: 'bob@example.com', password: 'bob-secret', token: 'bob-token' },
  carol: { username: 'carol@example.com', password: 'carol-secret', token: 'carol-token' },
} as const;
export type UserName = keyof typeof USERS;

export const ACCOUNT = {
  alice: accountIdFor(USERS.alice.username),
  bob: accountIdFor(USERS.bob.username),
  carol: accountIdFor(USERS.carol.username),
};

export type Invocation = [string, Record<string, any>, string];

/** The response arguments of a `Foo/changes` call (RFC 8620 section 5.2). */
export interface ChangesResponse {
  readonly accountId: string;
  readonly oldState: string;
  readonly newState: string;
  readonly hasMoreChanges: boolean;
  readonly created: string[];
  readonly updated: string[];
  readonly destroyed: string[];
  readonly [extra: string]: unknown;
}

export interface TestServer {
  readonly app: INestApplication;
  readonly baseUrl: string;
  /** `undefined` when LMTP is off. */
  readonly lmtpPort: number | undefined;
  auth(user: UserName): string;
  /** POSTs a JMAP request; answers the parsed body and status. */
  post(
    user: UserName,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Runs method calls and answers `methodResponses`, failing the test on a non-200. */
  call(user: UserName, methodCalls: Invocation[], using?: string[]): Promise<Invocation[]>;
  /** One method call; answers its response arguments, asserting the response name. */
  one(user: UserName, name: string, args: Record<string, any>, expectedName?: string): Promise<any>;
  close(): Promise<void>;
}

/** Hooks into the boot of a test server. */
export interface StartOptions {
  /** Runs after the app is created and before it listens: `app.use()` here sees every request. */
  beforeListen?(app: INestApplication): void;
}

/** Notes the headers of each WebSocket handshake (HTTP upgrade) before the push module takes it. */
export function recordingUpgrades(into: IncomingHttpHeaders[]): StartOptions {
  return {
    beforeListen: (app) =>
      (app.getHttpServer() as Server).on('upgrade', (request: IncomingMessage) => into.push(request.headers)),
  };
}

/**
 * Boots the whole server on free ports (HTTP and LMTP), with the three test users. A `port` override
 * listens there instead (e.g. the port of a server just closed, to restart it where clients expect it).
 */
export async function startServer(
  overrides: Partial<ServerConfig> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    lmtpPort: 0,
    lmtpHost: '127.0.0.1',
    publicUrl: null,
    redisUrl: null,
    redisKeyPrefix: 'jmap-push:',
    pushSessionSecret: null,
    pushStreams: { transport: 'sse' },
    webPush: { vapid: null, subject: 'mailto:postmaster@example.com', allowHosts: [] },
    corsOrigins: [],
    users: Object.values(USERS).map(({ username, password }) => ({ username, password })),
    tokens: Object.values(USERS).map(({ username, token }) => ({ username, token })),
    shares: [{ owner: USERS.bob.username, grantee: USERS.alice.username }],
    ...overrides,
  };
  const app = await createApp(config, false);
  options.beforeListen?.(app);
  await app.listen(config.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const auth = (user: UserName) => basicAuth(USERS[user].username, USERS[user].password);
  const post: TestServer['post'] = async (user, body, headers = {}) => {
    const response = await fetch(`${baseUrl}/jmap/api`, {
      method: 'POST',
      headers: { Authorization: auth(user), 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // leave the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const call: TestServer['call'] = async (user, methodCalls, using = USING) => {
    const { status, body } = await post(user, { using, methodCalls });
    if (status !== 200) throw new Error(`API answered ${status}: ${JSON.stringify(body)}`);
    return body.methodResponses;
  };
  return {
    app,
    baseUrl,
    lmtpPort: app.get(LmtpServer).port(),
    auth,
    post,
    call,
    async one(user, name, args, expectedName = name) {
      const [[responseName, responseArgs]] = await call(user, [[name, args, 'c0']]);
      if (responseName !== expectedName)
        throw new Error(`expected ${expectedName}, got ${responseName} ${JSON.stringify(responseArgs)}`);
      return responseArgs;
    },
    close: () => app.close(),
  };
}

/**
 * Boots the server from environment variables, as `npm start` reads them (on a free port, LMTP off), so a
 * test covers the parsing of a variable and its effect on the running server together.
 */
export function startServerFromEnv(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<TestServer> {
  return startServer({ ...loadServerConfig(env), port: 0, lmtpPort: null }, options);
}

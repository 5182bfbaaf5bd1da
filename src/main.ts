import type { Server } from 'node:http';
import { createApp } from './app.factory';
import { ConfigError, loadServerConfig } from './config/server-config';
import { LmtpServer } from './lmtp/lmtp-server.service';
import { startupMessage } from './startup-message';

async function bootstrap(): Promise<void> {
  const config = loadServerConfig();
  const app = await createApp(config, ['error', 'warn']);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const lmtpPort = app.get(LmtpServer).port();
  // Nest's own start-up chatter is silenced above: these lines are all a user needs.
  console.log(
    startupMessage(config, { baseUrl, lmtp: lmtpPort === undefined ? undefined : `${config.lmtpHost}:${lmtpPort}` }),
  );
}

bootstrap().catch((error: unknown) => {
  // A configuration mistake is the user's to fix: say what, without a stack trace.
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});

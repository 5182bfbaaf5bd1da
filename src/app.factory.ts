import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import type { ServerConfig } from './config/server-config';
import { corsMiddleware } from './http/cors.middleware';
import { ProblemDetailsFilter } from './http/problem-details.filter';

/**
 * Creates the server application (not yet listening), the same way for `main.ts` and the tests.
 * Nest's body parser is off: the API reads bodies itself to answer `notJSON` and size limits per RFC 8620.
 * CORS runs first, so preflights are answered before any guard asks for credentials.
 */
export async function createApp(
  config: ServerConfig,
  logger?: LoggerService | LogLevel[] | false,
): Promise<INestApplication> {
  /* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options bag as a class, but takes (and documents) plain objects */
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    ...(logger !== undefined && { logger }),
  });
  /* eslint-enable @typescript-eslint/no-unsafe-class-instance-assignment */
  app.disable('x-powered-by');
  app.use(corsMiddleware(config.corsOrigins));
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}

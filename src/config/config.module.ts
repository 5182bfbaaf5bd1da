import { DynamicModule, Global, Module } from '@nestjs/common';
import { SERVER_CONFIG, type ServerConfig } from './server-config';

/** Makes the parsed `ServerConfig` injectable everywhere under `SERVER_CONFIG`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ServerConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: SERVER_CONFIG, useValue: config }],
      exports: [SERVER_CONFIG],
    };
  }
}

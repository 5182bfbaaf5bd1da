import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DEFAULT_EVENT_SOURCE_PATH } from './jmap-push.constants';
import { createControllers } from './jmap-push.controllers';
import { PUSH_EXTRAS } from './jmap-push.internal-constants';
import type { JmapPushModuleExtras, JmapPushModuleOptions } from './jmap-push-options.interface';

const DEFAULT_EXTRAS: JmapPushModuleExtras = {
  path: DEFAULT_EVENT_SOURCE_PATH,
  transport: 'sse',
  isGlobal: false,
};

/**
 * `JMAP_PUSH_MODULE_OPTIONS` is the DI token of the options as given to `forRoot`/`forRootAsync`
 * (without defaults), for hosts that want to read them back.
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: JMAP_PUSH_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JmapPushModuleOptions>({ moduleName: 'JmapPush' })
  .setClassMethodName('forRoot')
  .setExtras<JmapPushModuleExtras>(DEFAULT_EXTRAS, (definition, given) => {
    // Extras shape routes, so they are read here, synchronously, even for forRootAsync. `forRoot` hands
    // over its whole options object: whether browser sessions are on is known then.
    const options = given as JmapPushModuleExtras & Partial<JmapPushModuleOptions>;
    const extras: Required<JmapPushModuleExtras> = {
      path: (options.path ?? DEFAULT_EVENT_SOURCE_PATH).replace(/^\/+|\/+$/g, ''),
      transport: options.transport ?? 'sse',
      isGlobal: options.isGlobal ?? false,
      browserSignIn: options.browserSignIn ?? options.browserSessions !== undefined,
    };
    return {
      ...definition,
      global: extras.isGlobal,
      controllers: createControllers(extras),
      providers: [...(definition.providers ?? []), { provide: PUSH_EXTRAS, useValue: extras }],
    };
  })
  .build();

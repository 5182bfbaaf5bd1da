import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DEFAULT_EVENT_SOURCE_PATH } from './jmap-push.constants';
import { PUSH_EXTRAS } from './jmap-push.internal-constants';
import type { JmapPushModuleExtras, JmapPushModuleOptions } from './jmap-push-options.interface';
import { createEventSourceControllers } from './stream/event-source-controller.factory';

const DEFAULT_EXTRAS: Required<JmapPushModuleExtras> = {
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
  .setExtras<JmapPushModuleExtras>(DEFAULT_EXTRAS, (definition, extras) => {
    // Extras shape routes, so they are read here, synchronously, even for forRootAsync.
    const resolved: Required<JmapPushModuleExtras> = { ...DEFAULT_EXTRAS, ...extras };
    return {
      ...definition,
      global: resolved.isGlobal,
      controllers: createEventSourceControllers(resolved.path, resolved.transport),
      providers: [...(definition.providers ?? []), { provide: PUSH_EXTRAS, useValue: resolved }],
    };
  })
  .build();

// TEMPORARY STUB (wt-delivery): replaced by wt-methods' file when it lands.
/** DI token of the resolved `WebPushSettings` (`null` when `webPush` is off). */
export const WEB_PUSH_SETTINGS = Symbol('jmap-push:web-push-settings');

/** DI token of the `webPush` option with every default filled in (`WebPushSettings`). */
export const WEB_PUSH_SETTINGS = Symbol('jmap-push:web-push-settings');

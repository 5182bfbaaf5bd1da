/** Where the auth guard leaves its `Authentication` on the request; read by `@PushPrincipal()`. */
export const AUTHENTICATION_REQUEST_KEY = Symbol('jmap-push:authentication');

/** DI token of the options with every default filled in (`PushSettings`). */
export const PUSH_SETTINGS = Symbol('jmap-push:settings');

/** DI token of the module's extras (path, transport) after defaults. */
export const PUSH_EXTRAS = Symbol('jmap-push:extras');

/** A value now, or later: what a pluggable part (a bus, an authenticator) may answer with. */
export type MaybePromise<T> = T | Promise<T>;

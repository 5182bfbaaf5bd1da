/** DI token of the policy that turns a requested ping interval into the one in use. */
export const PingPolicy = Symbol('PingPolicy');

/**
 * Decides the ping interval of a stream (RFC 8620 section 7.3: the server MAY clamp it, but its
 * minimum may not exceed 30 s nor its maximum fall below 300 s).
 */
export interface PingPolicy {
  /** The interval in seconds to use for a request of `requestedSeconds`; 0 means no pings. */
  intervalFor(requestedSeconds: number): number;
}

/** Every e2e file of the event source runs its cases once per transport: both must behave the same. */
export const TRANSPORTS = ['sse', 'direct'] as const;
export type Transport = (typeof TRANSPORTS)[number];

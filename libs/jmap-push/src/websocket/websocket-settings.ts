import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { positiveIntegerOption } from '../util/positive-integer-option';
import type { WebSocketOptions } from './websocket-options.interface';

/** `WebSocketOptions` with every default filled in and checked at startup. */
export interface WebSocketSettings {
  /** Without slashes at either end. */
  readonly path: string;
  readonly allowedOrigins: ReadonlySet<string> | undefined;
  readonly maxMessageBytes: number;
  readonly maxConcurrentRequests: number;
  readonly pingIntervalSeconds: number;
}

const OWNER = 'JmapPushModule';

export function resolveWebSocketSettings(options: WebSocketOptions): WebSocketSettings {
  const unchecked = options as { requestHandler?: { handle?: unknown } | null } | null;
  if (typeof unchecked?.requestHandler?.handle !== 'function') {
    throw new JmapPushConfigError(`${OWNER}: webSocket.requestHandler must implement handle()`);
  }
  // Plain JavaScript hosts get no compile-time check.
  for (const origin of (options.allowedOrigins ?? []) as readonly unknown[]) {
    if (typeof origin !== 'string' || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new JmapPushConfigError(`${OWNER}: webSocket.allowedOrigins holds "${String(origin)}", not an origin`);
    }
  }
  return {
    path: (options.path ?? 'jmap/ws').replace(/^\/+|\/+$/g, ''),
    allowedOrigins: options.allowedOrigins && new Set(options.allowedOrigins.map((origin) => origin.toLowerCase())),
    maxMessageBytes: positiveIntegerOption(OWNER, 'webSocket.maxMessageBytes', options.maxMessageBytes, 10_000_000),
    maxConcurrentRequests: positiveIntegerOption(
      OWNER,
      'webSocket.maxConcurrentRequests',
      options.maxConcurrentRequests,
      4,
    ),
    pingIntervalSeconds: positiveIntegerOption(OWNER, 'webSocket.pingIntervalSeconds', options.pingIntervalSeconds, 30),
  };
}

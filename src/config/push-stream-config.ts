import type { JmapPushModuleExtras, JmapPushModuleOptions } from 'jmap-push';
import { ConfigError, parseInteger, type IntegerBounds } from './config-error';

/** The event source's transport and limits, as `JmapPushModule` takes them; unset ones keep its defaults. */
export type PushStreamConfig = Required<Pick<JmapPushModuleExtras, 'transport'>> &
  Pick<JmapPushModuleOptions, 'maxStreamsPerPrincipal' | 'maxStreams' | 'ping'>;

const TRANSPORTS = ['sse', 'direct'] as const;
const COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'a positive integer' };
/** RFC 8620 section 7.3: a server's minimum ping may not exceed 30 s, nor its maximum be below 300 s. */
const PING_MIN = { min: 1, max: 30, what: 'an integer of seconds from 1 to 30 (RFC 8620 section 7.3)' };
const PING_MAX = { min: 300, max: 86_400, what: 'an integer of seconds from 300 to 86400 (RFC 8620 section 7.3)' };

/** Reads `PUSH_TRANSPORT`, `PUSH_MAX_STREAMS_PER_PRINCIPAL`, `PUSH_MAX_STREAMS`, `PUSH_PING_MIN`, `PUSH_PING_MAX`. */
export function parsePushStreamConfig(env: NodeJS.ProcessEnv): PushStreamConfig {
  const transport = env.PUSH_TRANSPORT?.trim().toLowerCase() || 'sse';
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new ConfigError(`PUSH_TRANSPORT must be "sse" or "direct", got "${env.PUSH_TRANSPORT ?? ''}"`);
  }
  const optional = (name: string, bounds: IntegerBounds) => parseInteger(name, env[name], undefined, bounds);
  const min = optional('PUSH_PING_MIN', PING_MIN);
  const max = optional('PUSH_PING_MAX', PING_MAX);
  const maxStreamsPerPrincipal = optional('PUSH_MAX_STREAMS_PER_PRINCIPAL', COUNT);
  const maxStreams = optional('PUSH_MAX_STREAMS', COUNT);
  return {
    transport: transport as PushStreamConfig['transport'],
    ...(maxStreamsPerPrincipal !== undefined && { maxStreamsPerPrincipal }),
    ...(maxStreams !== undefined && { maxStreams }),
    ...((min !== undefined || max !== undefined) && {
      ping: { ...(min !== undefined && { min }), ...(max !== undefined && { max }) },
    }),
  };
}

import { Injectable, type PipeTransform } from '@nestjs/common';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import { TypeRegistry } from '../state/type-registry';
import type { RawQuery } from './event-source-params.decorator';
import type { EventSourceQuery } from './event-source-query';

/** James spells it `closeAfter`; RFC 8620's template variable is `closeafter`. Both are accepted. */
const CLOSE_AFTER_ALIAS = 'closeAfter';
const MAX_TYPES_LENGTH = 2048;
/** `*`, or a comma-separated list of type names (after percent-decoding: `%2A`, `%2C`). */
const TYPES = /^(\*|[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*)$/;
/** Seconds; 0 turns pings off. Leading zeros and signs are refused, as are absurd lengths. */
const PING = /^(0|[1-9][0-9]{0,8})$/;

/**
 * Validates the event-source query: each parameter present once, well formed, and every type known.
 * Any failure is a 400 problem naming the parameter, checked in the order types, closeafter, ping.
 * Unknown parameters are ignored, as RFC 6570 clients may add their own (cache busters, say). Checked by
 * hand, not by class-validator: this runs on every connect, and a reconnect storm is thousands a second.
 */
@Injectable()
export class EventSourceQueryPipe implements PipeTransform<RawQuery, EventSourceQuery> {
  constructor(
    private readonly registry: TypeRegistry,
    private readonly metrics: PushMetrics,
  ) {}

  transform(raw: RawQuery): EventSourceQuery {
    try {
      return this.parse(raw);
    } catch (error) {
      this.metrics.rejected('badRequest');
      throw error;
    }
  }

  private parse(raw: RawQuery): EventSourceQuery {
    const types = once(raw, 'types');
    const closeafter = once(raw, 'closeafter', CLOSE_AFTER_ALIAS);
    const ping = once(raw, 'ping');
    if (types.length > MAX_TYPES_LENGTH) {
      throw ProblemDetailsException.badParameter('types', `types must be at most ${MAX_TYPES_LENGTH} characters`);
    }
    if (!TYPES.test(types)) {
      throw ProblemDetailsException.badParameter('types', 'types must be "*" or a comma-separated list of type names');
    }
    if (closeafter !== 'state' && closeafter !== 'no') {
      throw ProblemDetailsException.badParameter('closeafter', 'closeafter must be "state" or "no"');
    }
    if (!PING.test(ping)) {
      throw ProblemDetailsException.badParameter('ping', 'ping must be a non-negative integer of seconds');
    }
    return { types: this.parseTypes(types), closeAfterState: closeafter === 'state', ping: Number(ping) };
  }

  private parseTypes(types: string): ReadonlySet<string> | null {
    if (types === '*') return null;
    const names = types.split(',');
    const unknown = names.find((name) => !this.registry.has(name));
    if (unknown !== undefined) {
      throw ProblemDetailsException.badParameter('types', `types names an unknown type: ${unknown}`);
    }
    return new Set(names);
  }
}

/** The one value of `name` (or of its alias): a 400 when it is missing or given more than once. */
function once(raw: RawQuery, name: string, alias?: string): string {
  // Absent keys read as undefined (the record's type does not say so).
  const value = raw[name] as string | string[] | undefined;
  const aliased = alias === undefined ? undefined : (raw[alias] as string | string[] | undefined);
  if (value === undefined && aliased === undefined) {
    throw ProblemDetailsException.badParameter(name, `${name} is required`);
  }
  if (typeof value === 'string' && aliased === undefined) return value;
  if (typeof aliased === 'string' && value === undefined) return aliased;
  throw ProblemDetailsException.badParameter(name, `${name} must be given once`);
}

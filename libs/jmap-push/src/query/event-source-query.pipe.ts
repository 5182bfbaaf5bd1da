import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PushMetrics } from '../metrics/push-metrics';
import { ProblemDetailsException } from '../problem/problem-details.exception';
import { TypeRegistry } from '../state/type-registry';
import type { RawQuery } from './event-source-params.decorator';
import { EventSourceQueryDto, type EventSourceQuery } from './event-source-query.dto';

/** James spells it `closeAfter`; RFC 8620's template variable is `closeafter`. Both are accepted. */
const CLOSE_AFTER_ALIAS = 'closeAfter';
const PARAMETERS = ['types', 'closeafter', 'ping'] as const;

/**
 * Validates the event-source query: each parameter present once, well formed, and every type known.
 * Any failure is a 400 problem naming the parameter. Unknown parameters are ignored, as RFC 6570
 * clients may add their own (cache busters, say).
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
    const plain: Record<string, string> = {};
    for (const name of PARAMETERS) {
      const values = [raw[name], name === 'closeafter' ? raw[CLOSE_AFTER_ALIAS] : undefined]
        .flat()
        .filter((value): value is string => value !== undefined);
      if (values.length === 0) throw ProblemDetailsException.badParameter(name, `${name} is required`);
      if (values.length > 1) throw ProblemDetailsException.badParameter(name, `${name} must be given once`);
      plain[name] = values[0];
    }
    const dto = plainToInstance(EventSourceQueryDto, plain);
    const error = validateSync(dto, { stopAtFirstError: true }).at(0);
    if (error) {
      const detail = Object.values(error.constraints ?? {})[0] ?? `${error.property} is invalid`;
      throw ProblemDetailsException.badParameter(error.property, detail);
    }
    return { types: this.parseTypes(dto.types), closeAfterState: dto.closeafter === 'state', ping: Number(dto.ping) };
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

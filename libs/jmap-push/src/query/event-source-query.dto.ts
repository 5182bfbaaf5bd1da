import { IsIn, IsString, Matches, MaxLength } from 'class-validator';

/**
 * The query of the event-source URL, as sent: RFC 8620 section 7.3's `types`, `closeafter` and `ping`.
 * Syntax is checked here; `EventSourceQueryPipe` then checks `types` against the type registry.
 */
export class EventSourceQueryDto {
  /** `*`, or a comma-separated list of type names (after percent-decoding: `%2A`, `%2C`). */
  @IsString()
  @MaxLength(2048)
  @Matches(/^(\*|[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*)$/, {
    message: 'types must be "*" or a comma-separated list of type names',
  })
  types!: string;

  @IsString()
  @IsIn(['state', 'no'], { message: 'closeafter must be "state" or "no"' })
  closeafter!: string;

  /** Seconds; 0 turns pings off. Leading zeros and signs are refused, as are absurd lengths. */
  @IsString()
  @Matches(/^(0|[1-9][0-9]{0,8})$/, { message: 'ping must be a non-negative integer of seconds' })
  ping!: string;
}

/** The validated query, ready for a stream. */
export interface EventSourceQuery {
  /** The requested types; `null` for `*`. */
  readonly types: ReadonlySet<string> | null;
  readonly closeAfterState: boolean;
  /** The requested interval in seconds, before the ping policy. */
  readonly ping: number;
}

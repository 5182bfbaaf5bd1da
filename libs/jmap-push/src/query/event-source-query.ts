/** The validated query of the event-source URL (RFC 8620 section 7.3's `types`, `closeafter`, `ping`), ready for a stream. */
export interface EventSourceQuery {
  /** The requested types; `null` for `*`. */
  readonly types: ReadonlySet<string> | null;
  readonly closeAfterState: boolean;
  /** The requested interval in seconds, before the ping policy. */
  readonly ping: number;
}

/** What a client asked for, after validation and the ping policy. */
export interface SubscriptionSpec {
  /** Requested types; `null` for all. */
  readonly types: ReadonlySet<string> | null;
  /** Ping interval in seconds; 0 for none. */
  readonly pingSeconds: number;
  /** End after the first state change (`closeafter=state`). */
  readonly closeAfterState: boolean;
}

import type { StateEvent } from './state-event';

/**
 * Where a stream's frames go: Nest's `@Sse` pipeline, or the response itself (the `direct` transport).
 * Every frame carries an id the client may keep: `Last-Event-ID` must survive pings and hellos.
 */
export interface StreamSink {
  /** `event: state` with its id; `retryMs`, when given, rides along as `retry:` (first frame only). */
  writeState(event: StateEvent, retryMs?: number): void;
  /** A frame with no event that only sets the client's last event id (and `retry:`): opens the stream. */
  writeId(id: string, retryMs?: number): void;
  /** `event: ping` repeating the id the client already holds (RFC 8620: a ping sets no new id). */
  writePing(id: string, intervalSeconds: number): void;
  /** A comment: sends the headers when nothing else can be said yet (a replay still being read). */
  writeComment(): void;
  /** True while the client is not taking what was written; changes then merge instead of queueing. */
  readonly backpressured: boolean;
  /** Calls `listener` once the client has taken what was written. */
  onDrain(listener: () => void): void;
  /** Ends the response. */
  end(): void;
  /** Ends the response and then its connection, which would otherwise idle on as keep-alive (shutdown). */
  endConnection(): void;
  /** Destroys the connection at once, dropping whatever the client has not read. */
  abort(): void;
  /** Drops every listener the sink put on the response. */
  dispose(): void;
}

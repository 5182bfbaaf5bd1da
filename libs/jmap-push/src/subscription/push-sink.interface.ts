import type { EndReason } from './end-reason';
import type { StateEvent } from './state-event';

/**
 * What a push channel gives a subscription: somewhere to write, a view of backpressure, and a way to end
 * its side. Everything else (admission, replay, merging, pings, stalls, revocation, release) is the
 * subscription's. Every id written is one the client may keep and send back to resume (`Last-Event-ID`).
 */
export interface PushSink {
  /** The subscription is live and the client now holds `id`, though no change was sent (a fresh start). */
  writeOpen(id: string): void;
  /** A state change, already filtered to the subscription's accounts and types. */
  writeState(event: StateEvent): void;
  /** A keep-alive that repeats the id the client holds (RFC 8620 section 7.3: a ping sets no new id). */
  writePing(id: string, intervalSeconds: number): void;
  /** Missed changes are still being read: the channel shows it is open (SSE sends its headers). */
  writeWaiting(): void;
  /** True while the client is not taking what was written: changes then merge instead of queueing. */
  readonly backpressured: boolean;
  /**
   * Bytes the connection has handed on to the network so far: it grows while a client reads, however
   * slowly, so a client that takes a large write bit by bit is not taken for a stalled one.
   */
  readonly progress: number;
  /** Calls `listener` once the client has taken what was written (the latest call wins). */
  onDrain(listener: () => void): void;
  /** The subscription ended: end the channel's side as `reason` asks, and drop every listener. Called once. */
  close(reason: EndReason): void;
}

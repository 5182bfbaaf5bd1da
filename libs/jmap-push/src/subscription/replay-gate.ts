import { compareEventIds, parseEventId, type ParsedEventId } from '../bus/event-id';
import type { StateEvent } from './state-event';

/**
 * Orders a replay with the live changes around it, so the ids a client sees never go backwards: while
 * an asynchronous replay is read, live changes wait here; afterwards, only changes newer than what the
 * replay covered pass (a lagging bus may still deliver older ones).
 */
export class ReplayGate {
  private buffer: StateEvent[] | undefined;
  private coveredUpTo: ParsedEventId | undefined;
  /** Grows at every hold and clear, so the answer to an earlier replay is recognised as stale. */
  private generation = 0;

  /** An asynchronous replay is being read; `isCurrent(ticket)` tells later whether it still matters. */
  hold(): number {
    this.buffer = [];
    return ++this.generation;
  }

  /** False once the subscription was opened again or paused after the replay with this ticket began. */
  isCurrent(ticket: number): boolean {
    return ticket === this.generation;
  }

  /** The replay covered everything up to `replayId`: the held changes newer than it. */
  release(replayId: string): StateEvent[] {
    const held = this.buffer ?? [];
    this.buffer = undefined;
    this.coveredUpTo = parseEventId(replayId);
    return held.filter((event) => this.passes(event));
  }

  /** Whether a live change goes on now; a held one is kept for `release`. */
  admit(event: StateEvent): boolean {
    if (this.buffer) {
      this.buffer.push(event);
      return false;
    }
    return this.passes(event);
  }

  clear(): void {
    this.buffer = undefined;
    this.coveredUpTo = undefined;
    this.generation++;
  }

  private passes(event: StateEvent): boolean {
    if (!this.coveredUpTo) return true;
    const id = parseEventId(event.id);
    if (id && compareEventIds(id, this.coveredUpTo) <= 0) return false;
    this.coveredUpTo = undefined;
    return true;
  }
}

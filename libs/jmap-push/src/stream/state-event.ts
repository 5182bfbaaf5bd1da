import type { ChangedAccounts, StateChange } from '../state/type-state';
import { httpChunk, stateFrame } from './sse-frames';

/**
 * One `event: state`, serialised once and shared by every stream with the same type filter: the JSON is
 * built on construction and the wire frame on first use, so a fan-out to thousands of streams encodes once.
 */
export class StateEvent {
  readonly json: string;
  private frame: Buffer | undefined;
  private chunk: Buffer | undefined;

  constructor(
    readonly id: string,
    readonly changed: ChangedAccounts,
  ) {
    const change: StateChange = { '@type': 'StateChange', changed };
    this.json = JSON.stringify(change);
  }

  /** The complete SSE frame, for transports that write bytes themselves. */
  toFrame(): Buffer {
    return (this.frame ??= Buffer.from(stateFrame(this.id, this.json)));
  }

  /** The frame as one HTTP/1.1 chunk, for transports that write to the socket itself. */
  toChunk(): Buffer {
    return (this.chunk ??= httpChunk(stateFrame(this.id, this.json)));
  }
}

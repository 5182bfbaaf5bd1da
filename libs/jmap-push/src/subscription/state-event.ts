import type { ChangedAccounts, StateChange } from '../state/type-state';

/** Turns a change into a channel's bytes; one function per channel, so its result can be cached. */
export type ChangeEncoder<T> = (event: StateEvent) => T;

/**
 * One state change as subscriptions with the same type filter receive it, serialised once: the JSON is
 * built on construction, and each channel's encoding on first use, so a fan-out to thousands of
 * subscriptions encodes once per channel.
 */
export class StateEvent {
  readonly json: string;
  /** The first encoding asked for, kept apart: one channel per deployment is the common case. */
  private firstEncoder: ChangeEncoder<unknown> | undefined;
  private firstEncoding: unknown;
  private otherEncodings: Map<ChangeEncoder<unknown>, unknown> | undefined;

  constructor(
    /** The event id after this change: what the client sends back to resume. */
    readonly id: string,
    readonly changed: ChangedAccounts,
  ) {
    const change: StateChange = { '@type': 'StateChange', changed };
    this.json = JSON.stringify(change);
  }

  /** `encoder(this)`, computed once per event and encoder. */
  encoded<T>(encoder: ChangeEncoder<T>): T {
    if (this.firstEncoder === encoder) return this.firstEncoding as T;
    if (this.firstEncoder === undefined) {
      this.firstEncoder = encoder;
      return (this.firstEncoding = encoder(this));
    }
    this.otherEncodings ??= new Map();
    let encoding = this.otherEncodings.get(encoder) as T | undefined;
    if (encoding === undefined) this.otherEncodings.set(encoder, (encoding = encoder(this)));
    return encoding;
  }
}

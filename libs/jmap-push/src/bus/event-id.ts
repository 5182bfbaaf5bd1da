/**
 * Event ids are `<ms>-<seq>`, the shape of Redis stream ids, for every bus: one parser and one order.
 */
/** An event id taken apart: the stream time in milliseconds and the sequence within it. */
export interface ParsedEventId {
  /** Milliseconds part: the Redis entry time, or the in-memory bus's boot time. */
  readonly ms: number;
  /** Sequence part: grows with every change within `ms`. */
  readonly seq: number;
}

const EVENT_ID = /^(\d{1,15})-(\d{1,15})$/;

/** Parses an event id; `undefined` for anything malformed (a client can send any `Last-Event-ID`). */
export function parseEventId(id: string): ParsedEventId | undefined {
  const match = EVENT_ID.exec(id);
  if (!match) return undefined;
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

/** Orders two well-formed event ids: negative when `a` is older than `b`, zero when equal. */
export function compareEventIds(a: ParsedEventId, b: ParsedEventId): number {
  return a.ms - b.ms || a.seq - b.seq;
}

/** The id `<ms>-<seq>`; the inverse of `parseEventId`. */
export function formatEventId(ms: number, seq: number): string {
  return `${ms}-${seq}`;
}

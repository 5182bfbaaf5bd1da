/** What went wrong, for a log line: an `Error`'s message (never its stack), or anything else as a string. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

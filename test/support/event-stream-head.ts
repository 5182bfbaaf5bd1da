import type { RawResponse } from './raw-connection';

/**
 * The head both transports answer an event-source request with (without `Date`, and before the
 * `Transfer-Encoding` of a chunked body), as lower-case name/value pairs in the order sent.
 */
export const EVENT_STREAM_HEAD: ReadonlyArray<[string, string]> = [
  ['x-powered-by', 'Express'],
  ['content-type', 'text/event-stream'],
  ['connection', 'keep-alive'],
  ['cache-control', 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform'],
  ['pragma', 'no-cache'],
  ['expires', '0'],
  ['x-accel-buffering', 'no'],
];

/** A raw response's headers in the order sent, names lower-cased, without `Date` (it changes). */
export function headersWithoutDate(headers: RawResponse['headers']): Array<[string, string]> {
  return headers.filter(([name]) => name.toLowerCase() !== 'date').map(([name, value]) => [name.toLowerCase(), value]);
}

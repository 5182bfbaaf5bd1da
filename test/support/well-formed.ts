import { PROBLEM_JSON } from 'jmap-push';
import type { RawResponse } from './raw-http';

/** The statuses the event source may answer: a stream, or an error the client can act on. */
export const ALLOWED_STATUSES = [200, 400, 401, 414, 429, 431] as const;

/**
 * Checks a response is one the event source may give, with the body its status calls for. `nodeBare`
 * allows Node's own parser answers (400/431 without a body, before the app ever saw the request).
 */
export function assertWellFormed(response: RawResponse, nodeBare = false): void {
  const where = () => `${response.status} ${JSON.stringify(response.headers)} ${response.body.slice(0, 300)}`;
  if (!(ALLOWED_STATUSES as readonly number[]).includes(response.status))
    throw new Error(`unexpected status: ${where()}`);
  if (response.status === 200) {
    if (!response.stream) throw new Error(`200 that is not an event stream with a first frame: ${where()}`);
    if (!/^(?:\n)?(?:id: \d+-\d+\n|event: state\n)/.test(response.body.replace(/\r\n?/g, '\n'))) {
      throw new Error(`200 whose first frame is not an id or a state event: ${where()}`);
    }
    return;
  }
  const contentType = response.headers['content-type'] ?? '';
  if (!contentType.startsWith(PROBLEM_JSON)) {
    if (nodeBare && (response.status === 400 || response.status === 431) && response.body === '') return;
    throw new Error(`error without problem details: ${where()}`);
  }
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    throw new Error(`problem details that are not JSON: ${where()}`);
  }
  if (problem.status !== response.status || typeof problem.type !== 'string' || typeof problem.title !== 'string') {
    throw new Error(`problem details that do not match the status: ${where()}`);
  }
  if (
    response.status === 400 &&
    (problem.type !== 'urn:ietf:params:jmap:error:notRequest' || typeof problem.parameter !== 'string')
  ) {
    throw new Error(`a 400 that names no parameter: ${where()}`);
  }
  if (response.status === 401 && !(response.headers['www-authenticate'] ?? '').startsWith('Basic realm=')) {
    throw new Error(`a 401 without a Basic challenge: ${where()}`);
  }
  if (response.status === 429 && !/^\d+$/.test(response.headers['retry-after'] ?? '')) {
    throw new Error(`a 429 without Retry-After: ${where()}`);
  }
}

import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { CORE_LIMITS } from './capabilities';
import { iJsonViolation, readJmapRequest } from 'jmap-push';
import type { JmapRequest } from './jmap-request';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns a request body into a `JmapRequest`, or throws the request-level problem of RFC 8620 section
 * 3.6.1: `notJSON` (not UTF-8 I-JSON), then those of `checkJmapRequest`.
 */
export function parseJmapRequest(body: Buffer, supportedCapabilities: ReadonlySet<string>): JmapRequest {
  return checkJmapRequest(parseJsonBody(body), supportedCapabilities);
}

function parseJsonBody(body: Buffer): unknown {
  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(body);
    parsed = JSON.parse(text);
  } catch {
    throw problem(JmapProblem.notJSON, 400, 'The request body is not valid UTF-8 JSON.');
  }
  const violation = iJsonViolation(text);
  if (violation) throw problem(JmapProblem.notJSON, 400, `The request body is not I-JSON (RFC 7493): ${violation}.`);
  return parsed;
}

/**
 * Checks a parsed Request object (from an HTTP body or a WebSocket message), or throws the request-level
 * problem of RFC 8620 section 3.6.1: `notRequest` (not the Request shape), `unknownCapability`, `limit`
 * (`maxCallsInRequest`).
 */
export function checkJmapRequest(parsed: unknown, supportedCapabilities: ReadonlySet<string>): JmapRequest {
  const read = readJmapRequest(parsed);
  if ('invalid' in read) throw problem(JmapProblem.notRequest, 400, read.invalid);
  const { using, methodCalls } = read.request;
  const unknown = using.filter((capability) => !supportedCapabilities.has(capability));
  if (unknown.length > 0) {
    throw problem(JmapProblem.unknownCapability, 400, `Unsupported capabilities: ${unknown.join(', ')}.`);
  }
  if (methodCalls.length > CORE_LIMITS.maxCallsInRequest) {
    throw new ProblemDetailsException({
      type: JmapProblem.limit,
      status: 400,
      limit: 'maxCallsInRequest',
      detail: `At most ${CORE_LIMITS.maxCallsInRequest} method calls per request.`,
    });
  }
  return read.request as JmapRequest;
}

function problem(type: string, status: number, detail: string): ProblemDetailsException {
  return new ProblemDetailsException({ type, status, detail });
}

import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { CORE_LIMITS } from './capabilities';
import { iJsonViolation } from './i-json';
import type { Invocation, JmapRequest } from './jmap-request';

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
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw problem(JmapProblem.notRequest, 400, 'The request is not a JSON object.');
  }
  const request = parsed as Record<string, unknown>;
  const { using, methodCalls, createdIds } = request;
  if (!Array.isArray(using) || !using.every((item) => typeof item === 'string')) {
    throw problem(JmapProblem.notRequest, 400, '"using" must be an array of capability URIs.');
  }
  if (!Array.isArray(methodCalls) || !methodCalls.every(isInvocation)) {
    throw problem(JmapProblem.notRequest, 400, '"methodCalls" must be an array of [name, arguments object, call id].');
  }
  if (createdIds !== undefined && !isStringMap(createdIds)) {
    throw problem(JmapProblem.notRequest, 400, '"createdIds" must be an object of creation id to id.');
  }
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
  return {
    using: using,
    methodCalls: methodCalls as Invocation[],
    ...(createdIds !== undefined && { createdIds: createdIds as Record<string, string> }),
  };
}

function isInvocation(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'object' &&
    value[1] !== null &&
    !Array.isArray(value[1]) &&
    typeof value[2] === 'string'
  );
}

function isStringMap(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

function problem(type: string, status: number, detail: string): ProblemDetailsException {
  return new ProblemDetailsException({ type, status, detail });
}

import type { JmapRequest } from './jmap-request-handler.interface';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function isInvocation(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    isObject(value[1]) &&
    typeof value[2] === 'string'
  );
}

/**
 * Reads the RFC 8620 section 3.3 Request shape (`using`, `methodCalls`, `createdIds`) off a parsed JSON
 * value: the Request, or what is wrong with it (the detail of a `notRequest` problem). The WebSocket uses
 * it for every Request message; a host's HTTP API can use it so both answer alike.
 */
export function readJmapRequest(value: unknown): { request: JmapRequest } | { invalid: string } {
  if (!isObject(value)) return { invalid: 'The request is not a JSON object.' };
  const { using, methodCalls, createdIds } = value;
  if (!isStringArray(using)) return { invalid: '"using" must be an array of capability URIs.' };
  if (!Array.isArray(methodCalls) || !methodCalls.every(isInvocation)) {
    return { invalid: '"methodCalls" must be an array of [name, arguments object, call id].' };
  }
  if (
    createdIds !== undefined &&
    !(isObject(createdIds) && Object.values(createdIds).every((id) => typeof id === 'string'))
  ) {
    return { invalid: '"createdIds" must be an object of creation id to id.' };
  }
  return {
    request: {
      using,
      methodCalls: methodCalls as JmapRequest['methodCalls'],
      ...(createdIds !== undefined && { createdIds: createdIds as Record<string, string> }),
    },
  };
}

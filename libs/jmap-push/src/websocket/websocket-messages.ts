import type { ProblemDetails } from '../problem/problem-details';
import { iJsonViolation } from '../util/i-json';
import type { JmapRequest } from './jmap-request-handler.interface';
import { readJmapRequest } from './jmap-request-shape';
import { RequestProblem } from './websocket-frames';

/** What a client may send (RFC 8887 sections 4.3.2 and 4.3.5.2-3), checked. */
export type ClientMessage =
  | { readonly kind: 'request'; readonly id: string | undefined; readonly request: JmapRequest }
  | {
      readonly kind: 'pushEnable';
      readonly dataTypes: readonly string[] | null;
      readonly pushState: string | undefined;
    }
  | { readonly kind: 'pushDisable' }
  | { readonly kind: 'invalid'; readonly id: string | undefined; readonly problem: ProblemDetails };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Parses one text message; never throws: anything wrong is an `invalid` message with its problem. */
export function parseClientMessage(text: string): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: 'invalid', id: undefined, problem: RequestProblem.notJson('The message is not valid JSON') };
  }
  // RFC 8620 section 3.2: I-JSON. `ws` refused invalid UTF-8 already (1007), so this is about duplicates.
  const violation = iJsonViolation(text);
  if (violation)
    return {
      kind: 'invalid',
      id: undefined,
      problem: RequestProblem.notJson(`The message is not I-JSON (RFC 7493): ${violation}`),
    };
  if (!isObject(message)) {
    return invalid(undefined, 'The message is not a JSON object');
  }
  const id = typeof message.id === 'string' ? message.id : undefined;
  switch (message['@type']) {
    case 'Request':
      return request(message, id);
    case 'WebSocketPushEnable':
      return pushEnable(message);
    case 'WebSocketPushDisable':
      return { kind: 'pushDisable' };
    default:
      return invalid(id, '@type must be Request, WebSocketPushEnable or WebSocketPushDisable');
  }
}

function request(message: Json, id: string | undefined): ClientMessage {
  if (message.id !== undefined && typeof message.id !== 'string') return invalid(undefined, 'id must be a string');
  const read = readJmapRequest(message);
  return 'invalid' in read ? invalid(id, read.invalid) : { kind: 'request', id, request: read.request };
}

function pushEnable(message: Json): ClientMessage {
  const { dataTypes, pushState } = message;
  // RFC 8887 section 4.3.5.2: null (or absent) means every type the server pushes.
  if (dataTypes !== undefined && dataTypes !== null && !isStringArray(dataTypes)) {
    return invalid(undefined, 'dataTypes must be null or an array of type names');
  }
  if (pushState !== undefined && pushState !== null && typeof pushState !== 'string') {
    return invalid(undefined, 'pushState must be a string');
  }
  return { kind: 'pushEnable', dataTypes: dataTypes ?? null, pushState: pushState ?? undefined };
}

function invalid(id: string | undefined, detail: string): ClientMessage {
  return { kind: 'invalid', id, problem: RequestProblem.notRequest(detail) };
}

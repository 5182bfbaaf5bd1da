import * as ws from 'ws';
import { ProblemType, type ProblemDetails } from '../problem/problem-details';
import type { StateEvent } from '../subscription/state-event';

/** `ws`'s frame builder: exported by the package, though @types/ws does not declare it. */
const { Sender } = ws as unknown as {
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
    ): Buffer[];
  };
};

/**
 * A change as RFC 8887 section 4.3.5.1 pushes it: the StateChange with its `pushState` (the event id
 * after it, the token a client sends back to resume), framed once as an unmasked text frame. Server
 * frames are never masked, so these bytes can go to every socket that gets the change.
 */
export function webSocketStateFrame(event: StateEvent): Buffer {
  const json = `${event.json.slice(0, -1)},"pushState":${JSON.stringify(event.id)}}`;
  return Buffer.concat(
    Sender.frame(Buffer.from(json), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }),
  );
}

/** RFC 8887 section 4.3.4: problem details with `@type` and, when the client's request had one, its id. */
export function requestError(problem: ProblemDetails, requestId: string | undefined): string {
  return JSON.stringify({ '@type': 'RequestError', ...(requestId !== undefined && { requestId }), ...problem });
}

export const RequestProblem = {
  notJson: (detail: string): ProblemDetails => ({
    type: 'urn:ietf:params:jmap:error:notJSON',
    status: 400,
    title: 'Not JSON',
    detail,
  }),
  notRequest: (detail: string): ProblemDetails => ({
    type: ProblemType.notRequest,
    status: 400,
    title: 'Not a JMAP message',
    detail,
  }),
  limit: (limit: string, detail: string): ProblemDetails => ({
    type: ProblemType.limit,
    status: 400,
    title: 'Request limit reached',
    detail,
    limit,
  }),
  serverFail: (): ProblemDetails => ({
    type: ProblemType.blank,
    status: 500,
    title: 'Internal Server Error',
    detail: 'The request could not be processed',
  }),
};

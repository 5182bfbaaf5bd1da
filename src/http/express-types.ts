import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The parts of Express's request and response this server uses. `@types/express` is not a dependency
 * of the workspace, so these few members are declared here instead.
 */
export interface HttpRequest extends IncomingMessage {
  readonly protocol: string;
  get(name: string): string | undefined;
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  type(type: string): this;
  send(body: unknown): this;
}

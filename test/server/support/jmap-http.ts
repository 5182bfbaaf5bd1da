import { basicAuth } from '../../support/sse-client';

export type Invocation = [string, Record<string, any>, string];

/** A JMAP client over HTTP for a server that is not in this process: Session and API with any credentials. */
export class JmapHttp {
  constructor(readonly baseUrl: string) {}

  static basic(user: string, password: string): string {
    return basicAuth(user, password);
  }

  static bearer(token: string): string {
    return `Bearer ${token}`;
  }

  async session(authorization: string): Promise<any> {
    const response = await fetch(`${this.baseUrl}/.well-known/jmap`, { headers: { Authorization: authorization } });
    if (response.status !== 200) throw new Error(`the Session answered ${response.status}`);
    return response.json();
  }

  /** Runs method calls under `using` (core and mail by default); fails on anything but 200. */
  async call(
    authorization: string,
    methodCalls: Invocation[],
    using = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
  ): Promise<Invocation[]> {
    const response = await fetch(`${this.baseUrl}/jmap/api`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ using, methodCalls }),
    });
    const body: any = await response.json();
    if (response.status !== 200) throw new Error(`the API answered ${response.status}: ${JSON.stringify(body)}`);
    return body.methodResponses;
  }

  /** One call; answers its response arguments, asserting the response's name. */
  async one(authorization: string, name: string, args: Record<string, unknown>, expected = name): Promise<any> {
    const [[responseName, responseArgs]] = await this.call(authorization, [[name, args, 'c0']]);
    if (responseName !== expected) {
      throw new Error(`expected ${expected}, got ${responseName} ${JSON.stringify(responseArgs)}`);
    }
    return responseArgs;
  }
}

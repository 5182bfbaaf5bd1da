import { ACCOUNT, startServer, USING, type TestServer } from './support/server-fixture';

const NOT_JSON = 'urn:ietf:params:jmap:error:notJSON';

/**
 * RFC 8620 section 3.6.1: "notJSON: The content type of the request was not application/json or the
 * request did not parse as I-JSON." Issue 11 point 6: a cross-site `<form enctype="text/plain">` must not
 * write through a browser's cached Basic login.
 */
describe('API request content type and I-JSON', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ lmtpPort: null });
  });
  afterAll(() => server.close());

  const mailboxState = async () =>
    (await server.one('alice', 'Mailbox/get', { accountId: ACCOUNT.alice, ids: [] })).state as string;
  const create = JSON.stringify({
    using: USING,
    methodCalls: [['Mailbox/set', { accountId: ACCOUNT.alice, create: { m: { name: 'Forged' } } }, 'c']],
  });
  /** POSTs `body` with exactly these headers besides credentials (no Content-Type unless given). */
  const send = async (headers: Record<string, string>, body: string | Uint8Array) => {
    const response = await fetch(`${server.baseUrl}/jmap/api`, {
      method: 'POST',
      headers: { Authorization: server.auth('alice'), ...headers },
      body,
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as any,
    };
  };

  it.each([
    ['text/plain (a cross-site form)', 'text/plain'],
    ['text/plain with a charset', 'text/plain;charset=UTF-8'],
    ['a form encoding', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a JSON-like type', 'application/jsonx'],
    ['JSON in a charset that is not UTF-8', 'application/json; charset=iso-8859-1'],
  ])('refuses %s as notJSON without running the methods', async (_name, contentType) => {
    const before = await mailboxState();
    const answer = await send({ 'Content-Type': contentType }, create);
    expect(answer).toMatchObject({
      status: 400,
      type: 'application/problem+json',
      body: { type: NOT_JSON, status: 400 },
    });
    expect(await mailboxState()).toBe(before);
  });

  it('refuses a request without a Content-Type as notJSON', async () => {
    const before = await mailboxState();
    const answer = await send({}, new TextEncoder().encode(create));
    expect(answer).toMatchObject({ status: 400, body: { type: NOT_JSON } });
    expect(await mailboxState()).toBe(before);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"'])(
    'runs the methods for %s',
    async (contentType) => {
      const answer = await send({ 'Content-Type': contentType }, create);
      expect(answer.status).toBe(200);
      expect(answer.body.methodResponses[0][0]).toBe('Mailbox/set');
    },
  );

  it.each([
    ['a duplicate member name', `{"using":${JSON.stringify(USING)},"methodCalls":[],"methodCalls":[]}`],
    [
      'a duplicate spelled with an escape',
      `{"using":${JSON.stringify(USING)},"methodCalls":[],"method\\u0043alls":[]}`,
    ],
    [
      'a duplicate in method arguments',
      `{"using":${JSON.stringify(USING)},"methodCalls":[["Core/echo",{"a":1,"a":2},"e"]]}`,
    ],
    ['a lone high surrogate', `{"using":${JSON.stringify(USING)},"methodCalls":[["Core/echo",{"a":"\\ud800"},"e"]]}`],
    ['a lone low surrogate', `{"using":${JSON.stringify(USING)},"methodCalls":[["Core/echo",{"\\udc00":1},"e"]]}`],
  ])('refuses %s as notJSON (RFC 7493 I-JSON)', async (_name, body) => {
    const answer = await send({ 'Content-Type': 'application/json' }, body);
    expect(answer).toMatchObject({ status: 400, body: { type: NOT_JSON } });
  });

  it('takes escaped surrogate pairs and the same name in different objects', async () => {
    const body = `{"using":${JSON.stringify(USING)},"methodCalls":[["Core/echo",{"a":"\\ud83d\\ude00","b":{"a":1}},"e"]]}`;
    const answer = await send({ 'Content-Type': 'application/json' }, body);
    expect(answer.status).toBe(200);
    expect(answer.body.methodResponses).toEqual([['Core/echo', { a: '😀', b: { a: 1 } }, 'e']]);
  });
});

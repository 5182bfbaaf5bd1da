import { ACCOUNT, startServer, USING, type TestServer } from './support/server-fixture';

describe('API requests (RFC 8620 section 3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ lmtpPort: null });
  });
  afterAll(() => server.close());

  it('needs credentials', async () => {
    const response = await fetch(`${server.baseUrl}/jmap/api`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('answers Core/echo with its arguments, and the session state', async () => {
    const { status, body } = await server.post('alice', {
      using: USING,
      methodCalls: [['Core/echo', { hello: true, high: 5 }, 'b3ff']],
    });
    expect(status).toBe(200);
    expect(body.methodResponses).toEqual([['Core/echo', { hello: true, high: 5 }, 'b3ff']]);
    const session: any = await (
      await fetch(`${server.baseUrl}/.well-known/jmap`, { headers: { Authorization: server.auth('alice') } })
    ).json();
    expect(body.sessionState).toBe(session.state);
    expect(body).not.toHaveProperty('createdIds');
  });

  it.each([
    ['notJSON', 'not json at all', 'urn:ietf:params:jmap:error:notJSON'],
    ['notJSON (bad UTF-8)', Buffer.from([0x7b, 0xff, 0x7d]), 'urn:ietf:params:jmap:error:notJSON'],
    ['notRequest (array)', '[]', 'urn:ietf:params:jmap:error:notRequest'],
    ['notRequest (no using)', JSON.stringify({ methodCalls: [] }), 'urn:ietf:params:jmap:error:notRequest'],
    [
      'notRequest (bad invocation)',
      JSON.stringify({ using: USING, methodCalls: [['Core/echo', {}]] }),
      'urn:ietf:params:jmap:error:notRequest',
    ],
    [
      'notRequest (bad createdIds)',
      JSON.stringify({ using: USING, methodCalls: [], createdIds: { a: 1 } }),
      'urn:ietf:params:jmap:error:notRequest',
    ],
    [
      'unknownCapability',
      JSON.stringify({ using: ['urn:example:nope'], methodCalls: [] }),
      'urn:ietf:params:jmap:error:unknownCapability',
    ],
  ])('answers %s as a problem details body', async (_name, body, type) => {
    const response = await server.post('alice', body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ type, status: 400 });
  });

  it('refuses more than maxCallsInRequest calls with a limit problem', async () => {
    const calls = Array.from({ length: 17 }, (_, i) => ['Core/echo', {}, `c${i}`]);
    const response = await server.post('alice', { using: USING, methodCalls: calls });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: 'urn:ietf:params:jmap:error:limit', limit: 'maxCallsInRequest' });
  });

  it('refuses a body over maxSizeRequest with a limit problem', async () => {
    const response = await server.post(
      'alice',
      JSON.stringify({ using: USING, methodCalls: [['Core/echo', { pad: 'x'.repeat(10_000_001) }, 'a']] }),
    );
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ type: 'urn:ietf:params:jmap:error:limit', limit: 'maxSizeRequest' });
  });

  it('answers unknownMethod for unknown methods and for methods whose capability is not in using', async () => {
    const responses = await server.call('alice', [['Nope/get', {}, 'a']]);
    expect(responses).toEqual([['error', expect.objectContaining({ type: 'unknownMethod' }), 'a']]);
    const withoutMail = await server.call(
      'alice',
      [['Mailbox/get', { accountId: ACCOUNT.alice }, 'b']],
      ['urn:ietf:params:jmap:core'],
    );
    expect(withoutMail[0][1].type).toBe('unknownMethod');
  });

  it('answers accountNotFound for an unknown account and for one not shared with the user', async () => {
    const responses = await server.call('carol', [
      ['Mailbox/get', { accountId: 'nope' }, 'a'],
      ['Mailbox/get', { accountId: ACCOUNT.alice }, 'b'],
    ]);
    expect(responses.map(([name, args]) => [name, args.type])).toEqual([
      ['error', 'accountNotFound'],
      ['error', 'accountNotFound'],
    ]);
  });

  it('answers invalidArguments for unknown or mistyped arguments and goes on with the next call', async () => {
    const responses = await server.call('alice', [
      ['Mailbox/get', { accountId: ACCOUNT.alice, bogus: 1 }, 'a'],
      ['Mailbox/get', { accountId: 42 }, 'b'],
      ['Mailbox/get', { accountId: ACCOUNT.alice, properties: ['name', 'nope'] }, 'c'],
      ['Core/echo', { ok: true }, 'd'],
    ]);
    expect(responses.map(([name, args, id]) => [name, args.type ?? args.ok, id])).toEqual([
      ['error', 'invalidArguments', 'a'],
      ['error', 'invalidArguments', 'b'],
      ['error', 'invalidArguments', 'c'],
      ['Core/echo', true, 'd'],
    ]);
  });

  it('resolves back-references, including the * path token', async () => {
    const responses = await server.call('alice', [
      ['Mailbox/query', { accountId: ACCOUNT.alice, filter: { role: 'inbox' } }, 'q'],
      [
        'Mailbox/get',
        {
          accountId: ACCOUNT.alice,
          '#ids': { resultOf: 'q', name: 'Mailbox/query', path: '/ids' },
          properties: ['role'],
        },
        'g',
      ],
      ['Core/echo', { '#roles': { resultOf: 'g', name: 'Mailbox/get', path: '/list/*/role' } }, 'e'],
    ]);
    expect(responses[1][1].list).toEqual([{ id: responses[0][1].ids[0], role: 'inbox' }]);
    expect(responses[2]).toEqual(['Core/echo', { roles: ['inbox'] }, 'e']);
  });

  it('answers invalidResultReference for references that do not resolve', async () => {
    const responses = await server.call('alice', [
      ['Core/echo', { list: [1] }, 'a'],
      ['Core/echo', { '#x': { resultOf: 'missing', name: 'Core/echo', path: '/list' } }, 'b'],
      ['Core/echo', { '#x': { resultOf: 'a', name: 'Mailbox/get', path: '/list' } }, 'c'],
      ['Core/echo', { '#x': { resultOf: 'a', name: 'Core/echo', path: '/nope' } }, 'd'],
      ['Core/echo', { '#x': 'not a reference' }, 'e'],
      ['Core/echo', { x: 1, '#x': { resultOf: 'a', name: 'Core/echo', path: '/list' } }, 'f'],
    ]);
    expect(responses.map(([, args]) => args.type)).toEqual([
      undefined,
      'invalidResultReference',
      'invalidResultReference',
      'invalidResultReference',
      'invalidResultReference',
      'invalidArguments',
    ]);
  });

  it('returns createdIds when the request sent some, with the new ones added', async () => {
    const { body } = await server.post('alice', {
      using: USING,
      createdIds: { earlier: 'X1' },
      methodCalls: [
        ['Mailbox/set', { accountId: ACCOUNT.alice, create: { k1: { name: 'From createdIds test' } } }, 'a'],
      ],
    });
    const id = body.methodResponses[0][1].created.k1.id;
    expect(body.createdIds).toEqual({ earlier: 'X1', k1: id });
  });
});

import { startServerFromEnv, type TestServer } from './support/server-fixture';

/**
 * The requests of the `jmap-jam` client (htunnicliff/jmap-jam, `src/client.ts`), byte for byte in what
 * matters: it sends only `Authorization: Bearer`, `using` holds just the capabilities of the methods it
 * calls, and it expands the Session's URL templates by plain replacement. The package is ESM-only, so
 * these are its fetches written out; the server is configured from the environment as `npm start` is.
 */
describe('an unmodified jmap-jam flow against the demo configuration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerFromEnv({});
  });
  afterAll(() => server.close());

  const authHeader = 'Bearer alice-token';
  const expand = (template: string, params: Record<string, string>) => {
    let expanded = template;
    for (const [key, value] of Object.entries(params)) expanded = expanded.replaceAll(`{${key}}`, value);
    return new URL(expanded);
  };
  /** `JamClient.requestMany` with `errorStrategy: "throw"`. */
  const requestMany = async (apiUrl: string, methodCalls: Array<[string, unknown, string]>, using: string[]) => {
    const response = await fetch(apiUrl, {
      method: 'POST',
      headers: { Authorization: authHeader, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ using, methodCalls, createdIds: undefined }),
    });
    expect(response.status).toBe(200);
    const { methodResponses } = (await response.json()) as { methodResponses: Array<[string, any, string]> };
    expect(methodResponses.filter(([name]) => name === 'error')).toEqual([]);
    return Object.fromEntries(methodResponses.map(([, data, id]) => [id, data]));
  };

  it('loads the Session, reads and writes mail, uploads and downloads a blob', async () => {
    // JamClient.loadSession
    const sessionResponse = await fetch(`${server.baseUrl}/.well-known/jmap`, {
      headers: { Authorization: authHeader, Accept: 'application/json' },
    });
    expect(sessionResponse.status).toBe(200);
    const session: any = await sessionResponse.json();
    const accountId: string = session.primaryAccounts['urn:ietf:params:jmap:mail'];

    const mail = ['urn:ietf:params:jmap:mail'];
    const read = await requestMany(
      session.apiUrl,
      [
        ['Mailbox/get', { accountId, ids: null }, 'mailboxes'],
        ['Email/query', { accountId, limit: 10 }, 'emails'],
      ],
      mail,
    );
    expect(read.mailboxes.list.map((mailbox: any) => mailbox.role)).toContain('inbox');
    const written = await requestMany(
      session.apiUrl,
      [['Mailbox/set', { accountId, create: { jam: { name: 'From jam' } } }, 'r1']],
      mail,
    );
    expect(Object.keys(written.r1.created)).toEqual(['jam']);

    // JamClient.uploadBlob: a string body, so fetch labels it text/plain.
    const upload = await fetch(expand(session.uploadUrl, { accountId }), {
      method: 'POST',
      headers: { Authorization: authHeader, Accept: 'application/json' },
      body: 'hello from jam',
    });
    expect(upload.status).toBe(201);
    const { blobId } = (await upload.json()) as { blobId: string };
    // JamClient.downloadBlob
    const download = await fetch(
      expand(session.downloadUrl, { accountId, blobId, type: 'text/plain', name: 'hello.txt' }),
      { method: 'GET', headers: { Authorization: authHeader } },
    );
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('hello from jam');
  });
});

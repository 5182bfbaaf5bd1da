import { ACCOUNT, startServer, type ChangesResponse, type TestServer } from './support/server-fixture';

describe('Email and Thread methods (RFC 8621 sections 3 and 4)', () => {
  let server: TestServer;
  let inbox: string;
  const accountId = ACCOUNT.alice;
  beforeEach(async () => {
    server = await startServer({ lmtpPort: null });
    inbox = (await server.one('alice', 'Mailbox/query', { accountId, filter: { role: 'inbox' } })).ids[0];
  });
  afterEach(() => server.close());

  const draft = (overrides: Record<string, unknown> = {}) => ({
    mailboxIds: { [inbox]: true },
    keywords: { $seen: true },
    subject: 'Lunch?',
    from: [{ name: 'Alice', email: 'alice@example.com' }],
    to: [{ name: null, email: 'bob@example.com' }],
    receivedAt: '2024-05-01T10:00:00Z',
    bodyValues: { t: { value: 'Shall we have lunch at noon?' } },
    textBody: [{ partId: 't', type: 'text/plain' }],
    ...overrides,
  });

  it('creates an Email and reads it back with its body', async () => {
    const set = await server.one('alice', 'Email/set', { accountId, create: { m: draft() } });
    const created = set.created.m;
    expect(created).toEqual({
      id: expect.any(String),
      blobId: expect.any(String),
      threadId: expect.any(String),
      size: expect.any(Number),
    });
    const get = await server.one('alice', 'Email/get', { accountId, ids: [created.id], fetchTextBodyValues: true });
    expect(get.state).toBe(set.newState);
    const email = get.list[0];
    expect(email).toMatchObject({
      id: created.id,
      threadId: created.threadId,
      mailboxIds: { [inbox]: true },
      keywords: { $seen: true },
      subject: 'Lunch?',
      from: [{ name: 'Alice', email: 'alice@example.com' }],
      to: [{ name: null, email: 'bob@example.com' }],
      receivedAt: '2024-05-01T10:00:00Z',
      sentAt: '2024-05-01T10:00:00Z',
      hasAttachment: false,
      preview: 'Shall we have lunch at noon?',
      attachments: [],
      size: created.size,
    });
    expect(email.textBody).toHaveLength(1);
    expect(email.textBody[0]).toMatchObject({ type: 'text/plain', charset: 'utf-8' });
    expect(email.bodyValues[email.textBody[0].partId]).toEqual({
      value: 'Shall we have lunch at noon?',
      isEncodingProblem: false,
      isTruncated: false,
    });

    // The blob is the serialised message.
    const download = await fetch(
      `${server.baseUrl}/jmap/download/${accountId}/${created.blobId}/lunch.eml?accept=message/rfc822`,
      {
        headers: { Authorization: server.auth('alice') },
      },
    );
    expect(download.status).toBe(200);
    const raw = await download.text();
    expect(raw).toContain('Subject: Lunch?');
    expect(raw).toContain('From: "Alice" <alice@example.com>');
    expect(Buffer.byteLength(raw)).toBe(created.size);
  });

  it('gives an Email created without a body one empty text part', async () => {
    const set = await server.one('alice', 'Email/set', {
      accountId,
      create: { m: draft({ bodyValues: undefined, textBody: undefined }) },
    });
    const get = await server.one('alice', 'Email/get', {
      accountId,
      ids: [set.created.m.id],
      properties: ['bodyValues', 'textBody', 'htmlBody'],
      bodyProperties: ['partId', 'type', 'size'],
      fetchTextBodyValues: true,
    });
    const email = get.list[0];
    expect(email.textBody).toEqual([{ partId: expect.any(String), type: 'text/plain', size: 0 }]);
    expect(email.htmlBody).toEqual(email.textBody);
    expect(email.bodyValues[email.textBody[0].partId]).toEqual({
      value: '',
      isEncodingProblem: false,
      isTruncated: false,
    });
  });

  it('truncates body values at maxBodyValueBytes and honours properties and bodyProperties', async () => {
    const set = await server.one('alice', 'Email/set', {
      accountId,
      create: { m: draft({ bodyValues: { t: { value: 'héllo world' } } }) },
    });
    const get = await server.one('alice', 'Email/get', {
      accountId,
      ids: [set.created.m.id],
      properties: ['bodyValues', 'textBody'],
      bodyProperties: ['partId', 'type'],
      fetchAllBodyValues: true,
      maxBodyValueBytes: 3,
    });
    const email = get.list[0];
    expect(Object.keys(email).sort()).toEqual(['bodyValues', 'id', 'textBody']);
    expect(email.textBody).toEqual([{ partId: expect.any(String), type: 'text/plain' }]);
    expect(email.bodyValues[email.textBody[0].partId]).toEqual({
      value: 'hé',
      isEncodingProblem: false,
      isTruncated: true,
    });
  });

  it('refuses invalid creates with invalidProperties naming each property', async () => {
    const set = await server.one('alice', 'Email/set', {
      accountId,
      create: {
        noMailbox: draft({ mailboxIds: {} }),
        unknownMailbox: draft({ mailboxIds: { nope: true } }),
        badKeyword: draft({ keywords: { 'bad keyword': true } }),
        badDate: draft({ receivedAt: 'yesterday' }),
        badFrom: draft({ from: 'alice@example.com' }),
        serverSet: draft({ id: 'mine', size: 3 }),
        unusedBody: draft({ bodyValues: { t: { value: 'x' }, other: { value: 'y' } } }),
      },
    });
    expect(set.created).toBeNull();
    const properties = Object.fromEntries(
      Object.entries(set.notCreated).map(([key, error]: [string, any]) => [key, [error.type, error.properties.sort()]]),
    );
    expect(properties).toEqual({
      noMailbox: ['invalidProperties', ['mailboxIds']],
      unknownMailbox: ['invalidProperties', ['mailboxIds']],
      badKeyword: ['invalidProperties', ['keywords']],
      badDate: ['invalidProperties', ['receivedAt']],
      badFrom: ['invalidProperties', ['from']],
      serverSet: ['invalidProperties', ['id', 'size']],
      unusedBody: ['invalidProperties', ['bodyValues']],
    });
  });

  it('creates into a Mailbox created earlier in the same request', async () => {
    const responses = await server.call('alice', [
      ['Mailbox/set', { accountId, create: { box: { name: 'Receipts' } } }, 'a'],
      ['Email/set', { accountId, create: { m: draft({ mailboxIds: { '#box': true } }) } }, 'b'],
      ['Email/get', { accountId, ids: ['#m'], properties: ['mailboxIds'] }, 'c'],
    ]);
    const boxId = responses[0][1].created.box.id;
    expect(responses[2][1].list).toEqual([{ id: responses[1][1].created.m.id, mailboxIds: { [boxId]: true } }]);
  });

  it('updates keywords and mailboxIds, whole or by path, and keeps other properties immutable', async () => {
    const boxes = await server.one('alice', 'Mailbox/set', { accountId, create: { archive: { name: 'Archive' } } });
    const archive = boxes.created.archive.id;
    const set = await server.one('alice', 'Email/set', { accountId, create: { m: draft({ keywords: {} }) } });
    const id = set.created.m.id;
    const counts = async () =>
      (
        await server.one('alice', 'Mailbox/get', {
          accountId,
          ids: [inbox],
          properties: ['unreadEmails', 'totalEmails'],
        })
      ).list[0];
    expect(await counts()).toMatchObject({ totalEmails: 1, unreadEmails: 1 });

    const updated = await server.one('alice', 'Email/set', {
      accountId,
      update: { [id]: { 'keywords/$seen': true, 'keywords/$Flagged': true, [`mailboxIds/${archive}`]: true } },
    });
    expect(updated.updated).toEqual({ [id]: null });
    let email = (
      await server.one('alice', 'Email/get', { accountId, ids: [id], properties: ['keywords', 'mailboxIds'] })
    ).list[0];
    expect(email).toEqual({
      id,
      keywords: { $seen: true, $flagged: true },
      mailboxIds: { [inbox]: true, [archive]: true },
    });
    expect(await counts()).toMatchObject({ totalEmails: 1, unreadEmails: 0 });

    await server.one('alice', 'Email/set', {
      accountId,
      update: { [id]: { keywords: { $answered: true }, mailboxIds: { [archive]: true } } },
    });
    email = (await server.one('alice', 'Email/get', { accountId, ids: [id], properties: ['keywords', 'mailboxIds'] }))
      .list[0];
    expect(email).toEqual({ id, keywords: { $answered: true }, mailboxIds: { [archive]: true } });
    expect(await counts()).toMatchObject({ totalEmails: 0, unreadEmails: 0 });

    const refused = await server.one('alice', 'Email/set', {
      accountId,
      update: {
        [id]: { subject: 'changed' },
        nope: { keywords: {} },
      },
    });
    expect(refused.notUpdated[id]).toMatchObject({ type: 'invalidProperties', properties: ['subject'] });
    expect(refused.notUpdated.nope.type).toBe('notFound');
    const noMailbox = await server.one('alice', 'Email/set', {
      accountId,
      update: { [id]: { [`mailboxIds/${archive}`]: null } },
    });
    expect(noMailbox.notUpdated[id]).toMatchObject({ type: 'invalidProperties', properties: ['mailboxIds'] });
    const conflicting = await server.one('alice', 'Email/set', {
      accountId,
      update: { [id]: { keywords: {}, 'keywords/$seen': true } },
    });
    expect(conflicting.notUpdated[id].type).toBe('invalidPatch');
  });

  it('threads replies by Message-ID and keeps Thread/get and Thread/changes right', async () => {
    const threadState = (await server.one('alice', 'Thread/get', { accountId, ids: [] })).state;
    const first = await server.one('alice', 'Email/set', {
      accountId,
      create: { a: draft({ messageId: ['first@example.com'] }) },
    });
    const reply = await server.one('alice', 'Email/set', {
      accountId,
      create: {
        b: draft({
          messageId: ['second@example.com'],
          inReplyTo: ['first@example.com'],
          receivedAt: '2024-05-01T11:00:00Z',
        }),
      },
    });
    const other = await server.one('alice', 'Email/set', { accountId, create: { c: draft() } });
    expect(reply.created.b.threadId).toBe(first.created.a.threadId);
    expect(other.created.c.threadId).not.toBe(first.created.a.threadId);
    const thread = await server.one('alice', 'Thread/get', { accountId, ids: [first.created.a.threadId, 'nope'] });
    expect(thread.list).toEqual([{ id: first.created.a.threadId, emailIds: [first.created.a.id, reply.created.b.id] }]);
    expect(thread.notFound).toEqual(['nope']);
    const changes = await server.one('alice', 'Thread/changes', { accountId, sinceState: threadState });
    expect(changes.created.sort()).toEqual([first.created.a.threadId, other.created.c.threadId].sort());
    expect(changes.newState).toBe(thread.state);

    await server.one('alice', 'Email/set', { accountId, destroy: [other.created.c.id] });
    const afterDestroy = await server.one('alice', 'Thread/changes', { accountId, sinceState: thread.state });
    expect(afterDestroy).toMatchObject({ created: [], updated: [], destroyed: [other.created.c.threadId] });
  });

  it('answers Email/changes from an old state', async () => {
    const initial = (await server.one('alice', 'Email/get', { accountId, ids: [] })).state;
    const a = (await server.one('alice', 'Email/set', { accountId, create: { a: draft() } })).created.a.id;
    const middle = (await server.one('alice', 'Email/get', { accountId, ids: [] })).state;
    const b = (await server.one('alice', 'Email/set', { accountId, create: { b: draft() } })).created.b.id;
    await server.one('alice', 'Email/set', { accountId, update: { [a]: { keywords: {} } } });
    const destroyed = await server.one('alice', 'Email/set', { accountId, destroy: [b] });

    const fromInitial = await server.one('alice', 'Email/changes', { accountId, sinceState: initial });
    expect(fromInitial).toMatchObject({
      oldState: initial,
      newState: destroyed.newState,
      hasMoreChanges: false,
      created: [a],
      updated: [],
      destroyed: [],
    });
    const fromMiddle = await server.one('alice', 'Email/changes', { accountId, sinceState: middle });
    expect(fromMiddle).toMatchObject({ created: [], updated: [a], destroyed: [] });
    const paged: ChangesResponse = await server.one('alice', 'Email/changes', {
      accountId,
      sinceState: middle,
      maxChanges: 1,
    });
    expect(paged.hasMoreChanges).toBe(true);
    const rest = await server.one('alice', 'Email/changes', { accountId, sinceState: paged.newState });
    // b was created after `middle` and destroyed since: the pages may show it created, then destroyed.
    expect(paged.created.length + paged.updated.length + paged.destroyed.length).toBe(1);
    expect(
      new Set([
        ...paged.created,
        ...paged.updated,
        ...paged.destroyed,
        ...rest.created,
        ...rest.updated,
        ...rest.destroyed,
      ]),
    ).toEqual(new Set([a, b]));
    expect(rest).toMatchObject({ hasMoreChanges: false, newState: destroyed.newState });
    expect(rest.updated).toContain(a);
  });

  it('queries with inMailbox and receivedAt sort, windows and collapseThreads', async () => {
    const boxes = await server.one('alice', 'Mailbox/set', { accountId, create: { other: { name: 'Other' } } });
    const otherBox = boxes.created.other.id;
    const set = await server.one('alice', 'Email/set', {
      accountId,
      create: {
        old: draft({ receivedAt: '2024-01-01T00:00:00Z', messageId: ['old@example.com'] }),
        reply: draft({ receivedAt: '2024-03-01T00:00:00Z', inReplyTo: ['old@example.com'] }),
        mid: draft({ receivedAt: '2024-02-01T00:00:00Z', keywords: { $flagged: true } }),
        elsewhere: draft({ receivedAt: '2024-04-01T00:00:00Z', mailboxIds: { [otherBox]: true } }),
      },
    });
    const id = (key: string) => set.created[key].id;
    const newest = await server.one('alice', 'Email/query', {
      accountId,
      filter: { inMailbox: inbox },
      sort: [{ property: 'receivedAt', isAscending: false }],
      calculateTotal: true,
    });
    expect(newest).toMatchObject({
      ids: [id('reply'), id('mid'), id('old')],
      total: 3,
      position: 0,
      canCalculateChanges: false,
    });
    expect(newest.queryState).toBe((await server.one('alice', 'Email/get', { accountId, ids: [] })).state);
    const oldest = await server.one('alice', 'Email/query', {
      accountId,
      filter: { inMailbox: inbox },
      sort: [{ property: 'receivedAt' }],
      limit: 2,
    });
    expect(oldest.ids).toEqual([id('old'), id('mid')]);
    const collapsed = await server.one('alice', 'Email/query', {
      accountId,
      filter: { inMailbox: inbox },
      sort: [{ property: 'receivedAt' }],
      collapseThreads: true,
    });
    expect(collapsed.ids).toEqual([id('old'), id('mid')]);
    const flaggedOrElsewhere = await server.one('alice', 'Email/query', {
      accountId,
      filter: { operator: 'OR', conditions: [{ hasKeyword: '$flagged' }, { inMailbox: otherBox }] },
      sort: [{ property: 'receivedAt' }],
    });
    expect(flaggedOrElsewhere.ids).toEqual([id('mid'), id('elsewhere')]);

    const errors = await server.call('alice', [
      ['Email/query', { accountId, sort: [{ property: 'nope' }] }, 'a'],
      ['Email/query', { accountId, filter: { header: ['X'] } }, 'b'],
      ['Email/query', { accountId, filter: { inMailbox: 5 } }, 'c'],
      ['Email/queryChanges', { accountId, sinceQueryState: 'x' }, 'd'],
    ]);
    expect(errors.map(([, args]) => args.type)).toEqual([
      'unsupportedSort',
      'unsupportedFilter',
      'invalidArguments',
      'cannotCalculateChanges',
    ]);
  });

  it('refuses writes to a shared account and requestTooLarge over maxObjectsInGet', async () => {
    const responses = await server.call('alice', [
      ['Email/set', { accountId: ACCOUNT.bob, create: { m: draft() } }, 'a'],
      ['Email/get', { accountId, ids: Array.from({ length: 501 }, (_, i) => `x${i}`) }, 'b'],
    ]);
    expect(responses.map(([, args]) => args.type)).toEqual(['accountReadOnly', 'requestTooLarge']);
  });
});

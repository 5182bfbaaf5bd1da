import { ACCOUNT, startServer, type ChangesResponse, type TestServer } from './support/server-fixture';

describe('Mailbox methods (RFC 8621 section 2)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ lmtpPort: null });
  });
  afterEach(() => server.close());

  const accountId = ACCOUNT.alice;

  it('starts every account with an Inbox and reports its counts and rights', async () => {
    const result = await server.one('alice', 'Mailbox/get', { accountId, ids: null });
    expect(result.accountId).toBe(accountId);
    expect(result.list).toEqual([
      {
        id: expect.any(String),
        name: 'Inbox',
        parentId: null,
        role: 'inbox',
        sortOrder: 0,
        totalEmails: 0,
        unreadEmails: 0,
        totalThreads: 0,
        unreadThreads: 0,
        myRights: expect.objectContaining({ mayReadItems: true, mayAddItems: true, mayDelete: false }),
        isSubscribed: true,
      },
    ]);
    expect(result.notFound).toEqual([]);
  });

  it('answers notFound for unknown ids, once per id', async () => {
    const result = await server.one('alice', 'Mailbox/get', { accountId, ids: ['nope', 'nope'], properties: ['name'] });
    expect(result).toMatchObject({ list: [], notFound: ['nope'] });
  });

  it('creates, updates and destroys, changing the state each time', async () => {
    const before = (await server.one('alice', 'Mailbox/get', { accountId, ids: [] })).state;
    const created = await server.one('alice', 'Mailbox/set', {
      accountId,
      ifInState: before,
      create: { a: { name: 'Projects' }, b: { name: 'Old', parentId: '#a', sortOrder: 3 } },
    });
    expect(created.oldState).toBe(before);
    expect(created.newState).not.toBe(before);
    expect(created.notCreated).toBeNull();
    const projectsId = created.created.a.id;
    const oldId = created.created.b.id;
    // Server-set properties and defaults the client did not send come back.
    expect(created.created.a).toMatchObject({
      parentId: null,
      role: null,
      sortOrder: 0,
      isSubscribed: true,
      totalEmails: 0,
    });
    expect(created.created.b).not.toHaveProperty('name');
    const get = await server.one('alice', 'Mailbox/get', {
      accountId,
      ids: [oldId],
      properties: ['parentId', 'sortOrder'],
    });
    expect(get.list).toEqual([{ id: oldId, parentId: projectsId, sortOrder: 3 }]);
    expect(get.state).toBe(created.newState);

    const updated = await server.one('alice', 'Mailbox/set', {
      accountId,
      update: { [oldId]: { name: 'Archive 2020', parentId: null } },
    });
    expect(updated.updated).toEqual({ [oldId]: null });
    const destroyed = await server.one('alice', 'Mailbox/set', { accountId, destroy: [oldId, 'missing'] });
    expect(destroyed.destroyed).toEqual([oldId]);
    expect(destroyed.notDestroyed).toEqual({ missing: { type: 'notFound' } });
  });

  it('answers stateMismatch for a stale ifInState', async () => {
    const [[name, args]] = await server.call('alice', [
      ['Mailbox/set', { accountId, ifInState: 'stale', create: { a: { name: 'X' } } }, 'a'],
    ]);
    expect([name, args.type]).toEqual(['error', 'stateMismatch']);
    const list = (await server.one('alice', 'Mailbox/get', { accountId, ids: null })).list;
    expect(list).toHaveLength(1);
  });

  it('refuses invalid creates and updates with the right SetErrors', async () => {
    const inbox = (await server.one('alice', 'Mailbox/query', { accountId, filter: { role: 'inbox' } })).ids[0];
    const result = await server.one('alice', 'Mailbox/set', {
      accountId,
      create: {
        noName: { sortOrder: 1 },
        badParent: { name: 'x', parentId: 'nope' },
        dupRole: { name: 'Second inbox', role: 'inbox' },
        badRole: { name: 'y', role: 'nonsense' },
        serverSet: { name: 'z', totalEmails: 5 },
        dupName: { name: 'Inbox' },
      },
      update: { [inbox]: { name: 'Renamed' }, nope: { name: 'x' } },
      destroy: [inbox],
    });
    expect(result.created).toBeNull();
    expect(result.notCreated).toEqual({
      noName: expect.objectContaining({ type: 'invalidProperties', properties: ['name'] }),
      badParent: expect.objectContaining({ type: 'invalidProperties', properties: ['parentId'] }),
      dupRole: expect.objectContaining({ type: 'invalidProperties', properties: ['role'] }),
      badRole: expect.objectContaining({ type: 'invalidProperties', properties: ['role'] }),
      serverSet: expect.objectContaining({ type: 'invalidProperties', properties: ['totalEmails'] }),
      dupName: expect.objectContaining({ type: 'invalidProperties', properties: ['name'] }),
    });
    expect(result.notUpdated[inbox].type).toBe('forbidden');
    expect(result.notUpdated.nope.type).toBe('notFound');
    expect(result.notDestroyed[inbox].type).toBe('forbidden');
  });

  it('refuses to make a Mailbox its own ancestor', async () => {
    const created = await server.one('alice', 'Mailbox/set', {
      accountId,
      create: { a: { name: 'A' }, b: { name: 'B', parentId: '#a' } },
    });
    const result = await server.one('alice', 'Mailbox/set', {
      accountId,
      update: { [created.created.a.id]: { parentId: created.created.b.id } },
    });
    expect(result.notUpdated[created.created.a.id]).toMatchObject({
      type: 'invalidProperties',
      properties: ['parentId'],
    });
  });

  it('destroys with mailboxHasChild, mailboxHasEmail and onDestroyRemoveEmails', async () => {
    const created = await server.one('alice', 'Mailbox/set', {
      accountId,
      create: {
        parent: { name: 'Parent' },
        child: { name: 'Child', parentId: '#parent' },
        full: { name: 'Full' },
        other: { name: 'Other' },
      },
    });
    const ids = Object.fromEntries(
      Object.entries(created.created).map(([key, value]: [string, any]) => [key, value.id]),
    );
    const emails = await server.one('alice', 'Email/set', {
      accountId,
      create: {
        only: { mailboxIds: { [ids.full]: true }, subject: 'only in Full' },
        both: { mailboxIds: { [ids.full]: true, [ids.other]: true }, subject: 'in both' },
      },
    });
    const refused = await server.one('alice', 'Mailbox/set', { accountId, destroy: [ids.parent, ids.full] });
    expect(refused.notDestroyed).toEqual({
      [ids.parent]: { type: 'mailboxHasChild' },
      [ids.full]: { type: 'mailboxHasEmail' },
    });

    const done = await server.one('alice', 'Mailbox/set', {
      accountId,
      destroy: [ids.full],
      onDestroyRemoveEmails: true,
    });
    expect(done.destroyed).toEqual([ids.full]);
    const left = await server.one('alice', 'Email/get', {
      accountId,
      ids: [emails.created.only.id, emails.created.both.id],
      properties: ['mailboxIds'],
    });
    expect(left.notFound).toEqual([emails.created.only.id]);
    expect(left.list).toEqual([{ id: emails.created.both.id, mailboxIds: { [ids.other]: true } }]);
  });

  it('answers Mailbox/changes from an old state, with updatedProperties for count-only changes', async () => {
    const initial = (await server.one('alice', 'Mailbox/get', { accountId, ids: [] })).state;
    const created = await server.one('alice', 'Mailbox/set', { accountId, create: { a: { name: 'A' } } });
    const id = created.created.a.id;
    const fromInitial = await server.one('alice', 'Mailbox/changes', { accountId, sinceState: initial });
    expect(fromInitial).toMatchObject({
      oldState: initial,
      newState: created.newState,
      hasMoreChanges: false,
      created: [id],
      updated: [],
      destroyed: [],
    });

    await server.one('alice', 'Email/set', { accountId, create: { e: { mailboxIds: { [id]: true }, subject: 'hi' } } });
    const countsOnly = await server.one('alice', 'Mailbox/changes', { accountId, sinceState: created.newState });
    expect(countsOnly).toMatchObject({
      created: [],
      updated: [id],
      destroyed: [],
      updatedProperties: ['totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads'],
    });
    const counts = await server.one('alice', 'Mailbox/get', {
      accountId,
      ids: [id],
      properties: ['totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads'],
    });
    expect(counts.list[0]).toMatchObject({ totalEmails: 1, unreadEmails: 1, totalThreads: 1, unreadThreads: 1 });
    expect(counts.state).toBe(countsOnly.newState);

    const renamed = await server.one('alice', 'Mailbox/set', { accountId, update: { [id]: { name: 'B' } } });
    const full = await server.one('alice', 'Mailbox/changes', { accountId, sinceState: created.newState });
    expect(full).toMatchObject({ updated: [id], updatedProperties: null, newState: renamed.newState });

    await server.one('alice', 'Mailbox/set', { accountId, destroy: [id], onDestroyRemoveEmails: true });
    // Created and destroyed since the initial state: left out entirely.
    const gone = await server.one('alice', 'Mailbox/changes', { accountId, sinceState: initial });
    expect(gone).toMatchObject({ created: [], updated: [], destroyed: [] });
  });

  it('pages Mailbox/changes with maxChanges through intermediate states', async () => {
    const initial = (await server.one('alice', 'Mailbox/get', { accountId, ids: [] })).state;
    await server.one('alice', 'Mailbox/set', {
      accountId,
      create: { a: { name: 'A' }, b: { name: 'B' }, c: { name: 'C' } },
    });
    const seen: string[] = [];
    let state = initial;
    for (let round = 0; round < 5; round++) {
      const page: ChangesResponse = await server.one('alice', 'Mailbox/changes', {
        accountId,
        sinceState: state,
        maxChanges: 2,
      });
      expect(page.created.length + page.updated.length + page.destroyed.length).toBeLessThanOrEqual(2);
      seen.push(...page.created);
      state = page.newState;
      if (!page.hasMoreChanges) break;
    }
    expect(seen).toHaveLength(3);
    expect(state).toBe((await server.one('alice', 'Mailbox/get', { accountId, ids: [] })).state);
  });

  it('answers cannotCalculateChanges for unknown states and invalidArguments for maxChanges 0', async () => {
    const responses = await server.call('alice', [
      ['Mailbox/changes', { accountId, sinceState: 'bogus' }, 'a'],
      ['Mailbox/changes', { accountId, sinceState: 'bogus', maxChanges: 0 }, 'b'],
    ]);
    expect(responses.map(([, args]) => args.type)).toEqual(['cannotCalculateChanges', 'invalidArguments']);
  });

  it('queries with filters, sorts, trees and windows', async () => {
    const created = await server.one('alice', 'Mailbox/set', {
      accountId,
      create: {
        work: { name: 'Work', sortOrder: 2 },
        home: { name: 'Home', sortOrder: 1 },
        sub: { name: 'Sub', parentId: '#work', sortOrder: 1 },
      },
    });
    const id = (key: string) => created.created[key].id;
    const inbox = (await server.one('alice', 'Mailbox/query', { accountId, filter: { role: 'inbox' } })).ids[0];
    const byName = await server.one('alice', 'Mailbox/query', {
      accountId,
      sort: [{ property: 'name' }],
      calculateTotal: true,
    });
    expect(byName).toMatchObject({
      ids: [id('home'), inbox, id('sub'), id('work')],
      total: 4,
      position: 0,
      canCalculateChanges: false,
    });
    expect(typeof byName.queryState).toBe('string');
    const tree = await server.one('alice', 'Mailbox/query', {
      accountId,
      sort: [{ property: 'sortOrder' }],
      sortAsTree: true,
    });
    expect(tree.ids).toEqual([inbox, id('home'), id('work'), id('sub')]);
    const roots = await server.one('alice', 'Mailbox/query', {
      accountId,
      filter: { parentId: null, hasAnyRole: false },
      sort: [{ property: 'name', isAscending: false }],
    });
    expect(roots.ids).toEqual([id('work'), id('home')]);
    const notWork = await server.one('alice', 'Mailbox/query', {
      accountId,
      filter: { operator: 'NOT', conditions: [{ name: 'work' }] },
      filterAsTree: true,
      sort: [{ property: 'name' }],
    });
    expect(notWork.ids).toEqual([id('home'), inbox]);
    const windowed = await server.one('alice', 'Mailbox/query', {
      accountId,
      sort: [{ property: 'name' }],
      anchor: id('sub'),
      anchorOffset: -1,
      limit: 2,
    });
    expect(windowed).toMatchObject({ position: 1, ids: [inbox, id('sub')] });
    const negative = await server.one('alice', 'Mailbox/query', {
      accountId,
      sort: [{ property: 'name' }],
      position: -1,
    });
    expect(negative).toMatchObject({ position: 3, ids: [id('work')] });

    const errors = await server.call('alice', [
      ['Mailbox/query', { accountId, sort: [{ property: 'totalEmails' }] }, 'a'],
      ['Mailbox/query', { accountId, filter: { nope: 1 } }, 'b'],
      ['Mailbox/query', { accountId, anchor: 'nope' }, 'c'],
      ['Mailbox/query', { accountId, limit: -1 }, 'd'],
      ['Mailbox/queryChanges', { accountId, sinceQueryState: 'x' }, 'e'],
    ]);
    expect(errors.map(([, args]) => args.type)).toEqual([
      'unsupportedSort',
      'unsupportedFilter',
      'anchorNotFound',
      'invalidArguments',
      'cannotCalculateChanges',
    ]);
  });

  it('lets a grantee read a shared account but not write to it', async () => {
    const bobsInbox = await server.one('alice', 'Mailbox/get', { accountId: ACCOUNT.bob, ids: null });
    expect(bobsInbox.list).toHaveLength(1);
    expect(bobsInbox.list[0]).toMatchObject({
      role: 'inbox',
      isSubscribed: false,
      myRights: expect.objectContaining({ mayReadItems: true, mayAddItems: false }),
    });
    const [[name, args]] = await server.call('alice', [
      ['Mailbox/set', { accountId: ACCOUNT.bob, create: { a: { name: 'Mine now' } } }, 'a'],
    ]);
    expect([name, args.type]).toEqual(['error', 'accountReadOnly']);
  });
});

import { openEventStream, type EventStream } from '../support/sse-client';
import { sendLmtp } from './support/lmtp-client';
import { ACCOUNT, startServer, USERS, type TestServer, type UserName } from './support/server-fixture';

/** RFC 8620 section 7.3 push from the reference server: every write is seen, with `/get`'s states. */
describe('push of state changes', () => {
  let server: TestServer;
  const streams: EventStream[] = [];
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await server.close();
  });

  /** Opens an event source the way a client does: from the Session's template. */
  const open = async (user: UserName, types = '*') => {
    const session: any = await (
      await fetch(`${server.baseUrl}/.well-known/jmap`, { headers: { Authorization: server.auth(user) } })
    ).json();
    const url = (session.eventSourceUrl as string)
      .replace('{types}', encodeURIComponent(types))
      .replace('{closeafter}', 'no')
      .replace('{ping}', '0');
    const stream = await openEventStream(url, { Authorization: server.auth(user) });
    streams.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    return stream;
  };
  const nextChange = async (stream: EventStream) => {
    const frame = await stream.nextEvent('state');
    const change = JSON.parse(frame.data!);
    expect(change['@type']).toBe('StateChange');
    return change.changed as Record<string, Record<string, string>>;
  };
  const states = async (user: UserName, accountId: string) => {
    const responses = await server.call(user, [
      ['Mailbox/get', { accountId, ids: [] }, 'm'],
      ['Email/get', { accountId, ids: [] }, 'e'],
      ['Thread/get', { accountId, ids: [] }, 't'],
    ]);
    return { Mailbox: responses[0][1].state, Email: responses[1][1].state, Thread: responses[2][1].state };
  };
  const inboxOf = async (user: UserName, accountId: string) =>
    (await server.one(user, 'Mailbox/query', { accountId, filter: { role: 'inbox' } })).ids[0] as string;

  it('pushes a Mailbox/set as the new Mailbox state, equal to Mailbox/get', async () => {
    const stream = await open('alice');
    const set = await server.one('alice', 'Mailbox/set', {
      accountId: ACCOUNT.alice,
      create: { a: { name: 'Pushed' } },
    });
    const changed = await nextChange(stream);
    expect(changed).toEqual({ [ACCOUNT.alice]: { Mailbox: set.newState } });
    expect(changed[ACCOUNT.alice].Mailbox).toBe((await states('alice', ACCOUNT.alice)).Mailbox);
  });

  it('pushes an Email/set as Email, Thread and Mailbox states equal to /get, without EmailDelivery', async () => {
    const inbox = await inboxOf('alice', ACCOUNT.alice);
    const stream = await open('alice');
    await server.one('alice', 'Email/set', {
      accountId: ACCOUNT.alice,
      create: {
        m: {
          mailboxIds: { [inbox]: true },
          subject: 'Draft',
          bodyValues: { b: { value: 'x' } },
          textBody: [{ partId: 'b' }],
        },
      },
    });
    const changed = await nextChange(stream);
    expect(Object.keys(changed)).toEqual([ACCOUNT.alice]);
    expect(changed[ACCOUNT.alice]).toEqual(await states('alice', ACCOUNT.alice));
    expect(changed[ACCOUNT.alice]).not.toHaveProperty('EmailDelivery');

    // A keyword change without a count change pushes Email alone.
    const id = (await server.one('alice', 'Email/query', { accountId: ACCOUNT.alice })).ids[0];
    await server.one('alice', 'Email/set', {
      accountId: ACCOUNT.alice,
      update: { [id]: { 'keywords/$flagged': true } },
    });
    const flagged = await nextChange(stream);
    expect(flagged).toEqual({ [ACCOUNT.alice]: { Email: (await states('alice', ACCOUNT.alice)).Email } });
  });

  it('pushes an LMTP delivery with EmailDelivery, and states equal to /get', async () => {
    const stream = await open('alice');
    await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.com', to: [USERS.alice.username] },
      'From: carol@example.com\r\nTo: alice@example.com\r\nSubject: Pushed mail\r\n\r\nHello\r\n',
    );
    const changed = await nextChange(stream);
    const current = await states('alice', ACCOUNT.alice);
    expect(changed).toEqual({ [ACCOUNT.alice]: { ...current, EmailDelivery: expect.any(String) } });

    // A second delivery moves EmailDelivery again.
    await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.com', to: [USERS.alice.username] },
      'From: carol@example.com\r\nSubject: Again\r\n\r\nHi\r\n',
    );
    const again = await nextChange(stream);
    expect(again[ACCOUNT.alice].EmailDelivery).not.toBe(changed[ACCOUNT.alice].EmailDelivery);
  });

  it('filters by types: an EmailDelivery stream hears deliveries, not Email/set', async () => {
    const inbox = await inboxOf('alice', ACCOUNT.alice);
    const everything = await open('alice');
    const deliveries = await open('alice', 'EmailDelivery');
    await server.one('alice', 'Email/set', {
      accountId: ACCOUNT.alice,
      create: { m: { mailboxIds: { [inbox]: true }, subject: 'quiet' } },
    });
    // RFC 8621 section 1.5: EmailDelivery moves when mail is delivered, never for an Email/set.
    expect((await nextChange(everything))[ACCOUNT.alice]).not.toHaveProperty('EmailDelivery');
    await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.com', to: [USERS.alice.username] },
      'From: carol@example.com\r\nSubject: loud\r\n\r\nHi\r\n',
    );
    const delivery = await everything.nextEvent('state');
    const delivered = JSON.parse(delivery.data!).changed[ACCOUNT.alice].EmailDelivery as string;
    // The first event of the EmailDelivery stream is that delivery: had the Email/set moved
    // EmailDelivery, its event would have come first, with another id and state.
    const first = await deliveries.nextEvent('state');
    expect(first.id).toBe(delivery.id);
    expect(JSON.parse(first.data!).changed).toEqual({ [ACCOUNT.alice]: { EmailDelivery: delivered } });
  });

  it("pushes a change of a shared account to the grantee's stream", async () => {
    const aliceStream = await open('alice');
    const set = await server.one('bob', 'Mailbox/set', {
      accountId: ACCOUNT.bob,
      create: { a: { name: 'Bob shares this' } },
    });
    const changed = await nextChange(aliceStream);
    expect(changed).toEqual({ [ACCOUNT.bob]: { Mailbox: set.newState } });
    // What alice is pushed is what alice reads.
    expect((await states('alice', ACCOUNT.bob)).Mailbox).toBe(set.newState);
  });

  it("never pushes one user's changes to a user who may not read them", async () => {
    const carolStream = await open('carol');
    const bobStream = await open('bob');
    // Alice's account is not shared with anyone: neither carol nor bob may hear of it.
    await server.one('alice', 'Mailbox/set', { accountId: ACCOUNT.alice, create: { a: { name: 'Private' } } });
    await sendLmtp(
      server.lmtpPort!,
      { from: 'x@example.com', to: [USERS.alice.username] },
      'From: x@example.com\r\nSubject: private\r\n\r\nHi\r\n',
    );
    // Then each makes a change of their own. Changes are pushed in order, so if alice's had reached
    // them, it would come first (or be merged into this event).
    await server.one('carol', 'Mailbox/set', { accountId: ACCOUNT.carol, create: { a: { name: 'Mine' } } });
    await server.one('bob', 'Mailbox/set', { accountId: ACCOUNT.bob, create: { a: { name: 'Mine' } } });
    expect(Object.keys(await nextChange(carolStream))).toEqual([ACCOUNT.carol]);
    expect(Object.keys(await nextChange(bobStream))).toEqual([ACCOUNT.bob]);
  });

  it('refuses the event source without credentials', async () => {
    const stream = await openEventStream(`${server.baseUrl}/jmap/eventsource?types=*&closeafter=no&ping=0`);
    streams.push(stream);
    expect(stream.status).toBe(401);
  });
});

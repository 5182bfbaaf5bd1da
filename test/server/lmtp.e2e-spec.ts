import { ACCOUNT, startServer, USERS, type TestServer } from './support/server-fixture';
import { rawLmtpSession, sendLmtp } from './support/lmtp-client';

const message = (subject: string, extra = '') =>
  [
    'From: "Carol Example" <carol@example.com>',
    'To: Alice <alice@example.com>, bob@example.com',
    `Subject: ${subject}`,
    'Date: Wed, 01 May 2024 12:00:00 +0200',
    'Message-ID: <m1@example.com>',
    extra,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello from LMTP.',
    '',
  ]
    .filter((line, index) => line !== '' || index > 5)
    .join('\r\n');

describe('LMTP delivery', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  const inboxEmails = async (user: 'alice' | 'bob', accountId: string) => {
    const inbox = (await server.one(user, 'Mailbox/query', { accountId, filter: { role: 'inbox' } })).ids[0];
    const query = await server.one(user, 'Email/query', { accountId, filter: { inMailbox: inbox } });
    return { inbox, ids: query.ids as string[] };
  };

  it('listens on an ephemeral port in tests', () => {
    expect(server.lmtpPort).toEqual(expect.any(Number));
  });

  it('delivers a message into each recipient Inbox, with its fields and text', async () => {
    const result = await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.com', to: [USERS.alice.username, USERS.bob.username] },
      message('Hi there'),
    );
    expect(result.accepted.sort()).toEqual([USERS.alice.username, USERS.bob.username].sort());
    expect(result.rejected).toEqual([]);

    const { inbox, ids } = await inboxEmails('alice', ACCOUNT.alice);
    expect(ids).toHaveLength(1);
    const email = (await server.one('alice', 'Email/get', { accountId: ACCOUNT.alice, ids, fetchTextBodyValues: true }))
      .list[0];
    expect(email).toMatchObject({
      mailboxIds: { [inbox]: true },
      keywords: {},
      subject: 'Hi there',
      from: [{ name: 'Carol Example', email: 'carol@example.com' }],
      to: [
        { name: 'Alice', email: 'alice@example.com' },
        { name: null, email: 'bob@example.com' },
      ],
      sentAt: '2024-05-01T10:00:00Z',
      messageId: ['m1@example.com'],
      preview: 'Hello from LMTP.',
    });
    expect(email.bodyValues[email.textBody[0].partId].value.trim()).toBe('Hello from LMTP.');
    const mailbox = (await server.one('alice', 'Mailbox/get', { accountId: ACCOUNT.alice, ids: [inbox] })).list[0];
    expect(mailbox).toMatchObject({ totalEmails: 1, unreadEmails: 1, totalThreads: 1, unreadThreads: 1 });
    // Bob got his own copy.
    expect((await inboxEmails('bob', ACCOUNT.bob)).ids).toHaveLength(1);
    // The raw message is the Email's blob.
    const raw = await fetch(
      `${server.baseUrl}/jmap/download/${ACCOUNT.alice}/${email.blobId}/m.eml?accept=message/rfc822`,
      {
        headers: { Authorization: server.auth('alice') },
      },
    );
    expect(await raw.text()).toBe(message('Hi there'));
  });

  it('refuses unknown recipients with 550 and still delivers to the known ones', async () => {
    const result = await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.com', to: ['nobody@example.com', USERS.alice.username] },
      message('Partly'),
    );
    expect(result.accepted).toEqual([USERS.alice.username]);
    expect(result.rejected).toEqual(['nobody@example.com']);
    expect(result.rejectedErrors?.[0]?.responseCode).toBe(550);
    expect(result.rejectedErrors?.[0]?.response).toMatch(/^550 5\.1\.1 /);
    expect((await inboxEmails('alice', ACCOUNT.alice)).ids).toHaveLength(1);
  });

  it('refuses a message with only unknown recipients', async () => {
    await expect(
      sendLmtp(server.lmtpPort!, { from: 'carol@example.com', to: ['nobody@example.com'] }, message('Nobody')),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
  });

  it('refuses malformed messages with 554, keeps serving, and delivers nothing', async () => {
    const replies = await rawLmtpSession(server.lmtpPort!, [
      'LHLO test\r\n',
      'MAIL FROM:<carol@example.com>\r\n',
      `RCPT TO:<${USERS.alice.username}>\r\n`,
      `RCPT TO:<${USERS.bob.username}>\r\n`,
      'DATA\r\n',
      'this is not a header\r\nnor this\r\n.\r\n',
      'MAIL FROM:<carol@example.com>\r\n',
      `RCPT TO:<${USERS.alice.username}>\r\n`,
      'DATA\r\n',
      'Subject: no From field\r\n\r\nbody\r\n.\r\n',
      'QUIT\r\n',
    ]);
    // One reply per recipient after DATA (LMTP), all 554.
    const dataReplies = replies.filter((line) => line.startsWith('554'));
    expect(dataReplies).toHaveLength(3);
    expect(dataReplies[0]).toMatch(/^554 5\.6\.0 /);
    expect((await inboxEmails('alice', ACCOUNT.alice)).ids).toHaveLength(0);
    // The server is still up and delivering.
    const result = await sendLmtp(
      server.lmtpPort!,
      { from: 'carol@example.com', to: [USERS.alice.username] },
      message('After'),
    );
    expect(result.accepted).toEqual([USERS.alice.username]);
  });

  it('threads a delivered reply with its parent', async () => {
    await sendLmtp(server.lmtpPort!, { from: 'carol@example.com', to: [USERS.alice.username] }, message('First'));
    const reply = message('Re: First', 'In-Reply-To: <m1@example.com>').replace(
      '<m1@example.com>\r\n',
      '<m2@example.com>\r\n',
    );
    await sendLmtp(server.lmtpPort!, { from: 'carol@example.com', to: [USERS.alice.username] }, reply);
    const { ids } = await inboxEmails('alice', ACCOUNT.alice);
    const emails = (await server.one('alice', 'Email/get', { accountId: ACCOUNT.alice, ids, properties: ['threadId'] }))
      .list;
    expect(emails).toHaveLength(2);
    expect(emails[0].threadId).toBe(emails[1].threadId);
  });
});

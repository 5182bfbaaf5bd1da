// Issue 2, point 1 (query), and James's typesQueryParamIsCompulsory, pingQueryParamIsCompulsory,
// closeAfterQueryParamIsCompulsory, shouldRejectInvalidCloseAfter, shouldRejectInvalidPing,
// shouldRejectInvalidTypes, allTypesShouldBeSupported.
import { AUTH, expectProblem, stateOf, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';

describe.each(TRANSPORTS)('event-source query (%s transport)', (transport) => {
  const fx = usePushApp(transport, { types: ['CalendarEvent'] });

  const rejects = (query: string, parameter: string, detail: RegExp) => async () => {
    const stream = await fx.open(query, AUTH.bob);
    const problem = await expectProblem(stream, 400);
    expect(problem).toMatchObject({
      type: 'urn:ietf:params:jmap:error:notRequest',
      status: 400,
      parameter,
    });
    expect(problem.title).toEqual(expect.any(String));
    expect(problem.detail).toMatch(detail);
    expect(problem.detail).toContain(parameter);
    // A 400 is final: no stream was ever registered for it.
    expect(stream.headers['content-type']).not.toContain('text/event-stream');
  };

  describe('missing parameters: 400 naming the parameter', () => {
    it('types', rejects('closeafter=no&ping=0', 'types', /required/));
    it('closeafter', rejects('types=*&ping=0', 'closeafter', /required/));
    it('ping', rejects('types=*&closeafter=no', 'ping', /required/));
    it('everything', rejects('', 'types', /required/));
  });

  describe('duplicated parameters: 400', () => {
    it('types twice', rejects('types=*&types=Email&closeafter=no&ping=0', 'types', /once/));
    it('ping twice', rejects('types=*&closeafter=no&ping=0&ping=0', 'ping', /once/));
    it('closeafter twice', rejects('types=*&closeafter=no&closeafter=no&ping=0', 'closeafter', /once/));
    it(
      'closeafter and its closeAfter alias together',
      rejects('types=*&closeafter=no&closeAfter=no&ping=0', 'closeafter', /once/),
    );
  });

  describe('invalid values: 400', () => {
    it.each(['bad', 'yes', 'STATE', ''])('closeafter=%s', (value) =>
      rejects(`types=*&closeafter=${value}&ping=0`, 'closeafter', /closeafter/)(),
    );
    it.each(['bad', '-1', '1.5', '01', '', '+5', '1e3', '9999999999'])('ping=%s', (value) =>
      rejects(`types=*&closeafter=no&ping=${encodeURIComponent(value)}`, 'ping', /ping/)(),
    );
    it.each(['', 'Email,', ',Email', 'Email,,Mailbox', '*,Email', 'Email Mailbox', '**'])(
      'malformed types=%s',
      (value) => rejects(`types=${encodeURIComponent(value)}&closeafter=no&ping=0`, 'types', /types/)(),
    );
    it.each(['bad', 'Email,bad', 'email', 'SearchSnippet', 'Calendar'])('unknown type: types=%s', (value) =>
      rejects(`types=${value}&closeafter=no&ping=0`, 'types', /unknown type/)(),
    );
  });

  it('counts every 400 as a badRequest rejection', async () => {
    const before = fx.push.metrics.snapshot().rejections.badRequest;
    await (
      await fx.open('types=bad&closeafter=no&ping=0', AUTH.bob)
    ).body;
    expect(fx.push.metrics.snapshot().rejections.badRequest).toBe(before + 1);
  });

  describe('accepted queries', () => {
    it('every RFC 8621 and RFC 9610 type, by name (allTypesShouldBeSupported)', async () => {
      const all =
        'Mailbox,Email,VacationResponse,Thread,Identity,EmailSubmission,EmailDelivery,AddressBook,ContactCard';
      const { stream } = await fx.connect('bob', `types=${all}&closeafter=no&ping=0`);
      await fx.push.stateChanges.publish('acc-bob', { Mailbox: 'm1' });
      expect(stateOf(await stream.nextEvent('state')).changed).toEqual({
        'acc-bob': { Mailbox: 'm1' },
      });
    });

    it('types=%2A is "*" once percent-decoded (RFC 6570 clients encode reserved characters)', async () => {
      const { stream } = await fx.connect('bob', 'types=%2A&closeafter=no&ping=0');
      await fx.push.stateChanges.publish('acc-bob', { Identity: 'i1' });
      expect(stateOf(await stream.nextEvent('state')).changed).toEqual({
        'acc-bob': { Identity: 'i1' },
      });
    });

    it('types=Email%2CMailbox is the list Email,Mailbox, and filters by it', async () => {
      const { stream } = await fx.connect('bob', 'types=Email%2CMailbox&closeafter=no&ping=0');
      await fx.push.stateChanges.publish('acc-bob', {
        Thread: 't1',
        Email: 'e1',
        Mailbox: 'm1',
      });
      expect(stateOf(await stream.nextEvent('state')).changed).toEqual({
        'acc-bob': { Email: 'e1', Mailbox: 'm1' },
      });
    });

    it('closeAfter (James spelling) is an alias of closeafter', async () => {
      const { stream } = await fx.connect('bob', 'types=*&closeAfter=state&ping=0');
      await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
      await stream.nextEvent('state');
      await stream.ended;
    });

    it('a type the host added with the "types" option (CalendarEvent)', async () => {
      const { stream } = await fx.connect('bob', 'types=CalendarEvent&closeafter=no&ping=0');
      await fx.push.stateChanges.publish('acc-bob', {
        Email: 'e1',
        CalendarEvent: 'c1',
      });
      expect(stateOf(await stream.nextEvent('state')).changed).toEqual({
        'acc-bob': { CalendarEvent: 'c1' },
      });
    });

    it('ignores parameters it does not know (cache busters)', async () => {
      const { hello } = await fx.connect('bob', 'types=*&closeafter=no&ping=0&_=12345');
      expect(hello.id).toMatch(/^\d+-\d+$/);
    });
  });
});

describe.each(TRANSPORTS)('type registry without host types (%s transport)', (transport) => {
  const fx = usePushApp(transport);

  it('refuses CalendarEvent in the query when the host did not add it', async () => {
    const problem = await expectProblem(await fx.open('types=CalendarEvent&closeafter=no&ping=0', AUTH.bob), 400);
    expect(problem.parameter).toBe('types');
  });

  it('refuses to publish a type it does not know', async () => {
    await expect(fx.push.stateChanges.publish('acc-bob', { CalendarEvent: 'c1' })).rejects.toThrow(/unknown type/);
  });
});

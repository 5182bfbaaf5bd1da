// A directory that hangs on one principal must not stop revocation for the others: each revalidate call
// is bounded by authenticationTimeoutMs, and the pass does not wait on its slowest member.
import type { Principal } from 'jmap-push';
import { PrincipalRevalidator } from 'jmap-push/subscription/principal-revalidator';
import { DEFAULT_USERS, startPushApp, tableAuthenticator } from '../support/push-app';
import { expectLogged } from '../support/expected-logs';
import { within } from '../support/wait';
import { basicAuth, openEventStream } from '../support/sse-client';

describe('revalidation with a directory that hangs on one principal', () => {
  it('still narrows the others, and the next pass runs', async () => {
    const table = tableAuthenticator(DEFAULT_USERS);
    let bobAccounts = ['acc-bob', 'acc-alice'];
    const push = await startPushApp({
      authenticationTimeoutMs: 200,
      authenticator: {
        authenticateBasic: (user, password) => table.authenticateBasic(user, password),
        revalidate: (principal: Principal) =>
          principal.id.startsWith('carol')
            ? new Promise<Principal>(() => undefined) // never answers about carol
            : { id: principal.id, accountIds: principal.id.startsWith('bob') ? bobAccounts : principal.accountIds },
      },
    });
    try {
      const carol = await openEventStream(push.url('types=*&closeafter=no&ping=0'), {
        Authorization: basicAuth('carol@example.com', 'carol-secret'),
      });
      const bob = await openEventStream(push.url('types=*&closeafter=no&ping=0'), {
        Authorization: basicAuth('bob@example.com', 'bob-secret'),
      });
      await bob.next();
      const revalidator = push.app.get(PrincipalRevalidator);
      // Each pass logs the timed-out question about carol (expected here).
      await expectLogged('warn', /^revalidate\(carol@example\.com\) failed; .*: revalidate timed out$/, async () => {
        await within(revalidator.revalidateAll(), 2000, 'a pass despite the hanging directory');
        bobAccounts = ['acc-bob'];
        await within(revalidator.revalidateAll(), 2000, 'the next pass');
      });
      await push.stateChanges.publish('acc-alice', { Email: 'alice-private' });
      await push.stateChanges.publish('acc-bob', { Email: 'bobs' });
      const event = await bob.nextEvent('state');
      expect(JSON.parse(event.data as string)).toEqual({
        '@type': 'StateChange',
        changed: { 'acc-bob': { Email: 'bobs' } },
      });
      carol.close();
      bob.close();
    } finally {
      await push.close();
    }
  });
});

import { loadServerConfig } from '../config/server-config';
import { accountIdFor } from './account-id';
import { UserDirectory } from './user-directory.service';

const directory = (env: NodeJS.ProcessEnv = {}) =>
  new UserDirectory(
    loadServerConfig({
      JMAP_USERS: 'a@x.org:pa,b@x.org:pb',
      JMAP_TOKENS: 'a@x.org:token-1,a@x.org:token-2,b@x.org:token-b',
      JMAP_SHARES: 'b@x.org>a@x.org',
      ...env,
    }),
  );
const A = accountIdFor('a@x.org');
const B = accountIdFor('b@x.org');

describe('UserDirectory', () => {
  it('names which credential authenticated a user, one id per password and per token', () => {
    const users = directory();
    const seen = [
      users.authenticateBasic('a@x.org', 'pa'),
      users.authenticateBearer('token-1'),
      users.authenticateBearer('token-2'),
      users.authenticateBasic('b@x.org', 'pb'),
      users.authenticateBearer('token-b'),
    ];
    // The principal id stays the user (the module's per-principal limits count by it).
    expect(seen.map((user) => user?.id)).toEqual(['a@x.org', 'a@x.org', 'a@x.org', 'b@x.org', 'b@x.org']);
    const credentialIds = seen.map((user) => user?.credentialId);
    expect(new Set(credentialIds).size).toBe(5);
    // Stable across boots, and it does not spell the token.
    expect(directory().authenticateBearer('token-1')?.credentialId).toBe(credentialIds[1]);
    expect(credentialIds.join(' ')).not.toContain('token-');
  });

  it('refuses unknown tokens, and passwords and tokens in each other’s place', () => {
    const users = directory();
    expect(users.authenticateBearer('token-3')).toBeNull();
    expect(users.authenticateBearer('pa')).toBeNull();
    expect(users.authenticateBasic('a@x.org', 'token-1')).toBeNull();
  });

  it('revalidates a principal as the directory has it now', () => {
    const before = directory().authenticateBasic('a@x.org', 'pa')!;
    expect(before.accountIds).toEqual([A, B]);
    // A session cookie carries only id and accounts: the share is gone, so is bob's account.
    const cookie = { id: before.id, accountIds: before.accountIds };
    expect(directory({ JMAP_SHARES: '' }).revalidate(cookie)?.accountIds).toEqual([A]);
    expect(directory({ JMAP_USERS: 'b@x.org:pb', JMAP_TOKENS: '', JMAP_SHARES: '' }).revalidate(cookie)).toBeNull();
    // A principal that came with a token keeps its streams only while that token exists.
    const byToken = directory().authenticateBearer('token-2')!;
    expect(directory().revalidate(byToken)?.id).toBe('a@x.org');
    expect(directory({ JMAP_TOKENS: 'a@x.org:token-1' }).revalidate(byToken)).toBeNull();
  });

  it('keeps a principal stored as plain data (a push subscription’s) to its credential', () => {
    const users = directory();
    const byToken = users.authenticateBearer('token-2')!;
    // What a push subscription store keeps (RFC 8620 section 7.2 ties the subscription to the credential).
    const stored = JSON.parse(
      JSON.stringify({ id: byToken.id, accountIds: byToken.accountIds, credentialId: byToken.credentialId }),
    );
    expect(users.revalidate(stored)?.credentialId).toBe(byToken.credentialId);
    expect(directory({ JMAP_TOKENS: 'a@x.org:token-1' }).revalidate(stored)).toBeNull();
    // The password's credential ends with the user.
    const byPassword = users.authenticateBasic('a@x.org', 'pa')!;
    const storedPassword = {
      id: byPassword.id,
      accountIds: byPassword.accountIds,
      credentialId: byPassword.credentialId,
    };
    expect(users.revalidate(storedPassword)?.credentialId).toBe('password:a@x.org');
    expect(
      directory({ JMAP_USERS: 'b@x.org:pb', JMAP_TOKENS: '', JMAP_SHARES: '' }).revalidate(storedPassword),
    ).toBeNull();
  });
});

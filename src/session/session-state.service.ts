import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { JmapUser } from '../auth/jmap-user';

/**
 * The Session's `state` (and every API response's `sessionState`): a hash of what the Session says about
 * the user's accounts. Accounts and grants are fixed at boot, so it changes only when configuration does.
 */
@Injectable()
export class SessionStateService {
  private readonly cache = new WeakMap<JmapUser, string>();

  stateFor(user: JmapUser): string {
    let state = this.cache.get(user);
    if (state === undefined) {
      const accounts = [...user.accounts.values()].map((access) => [
        access.accountId,
        access.name,
        access.isPersonal,
        access.isReadOnly,
      ]);
      state = createHash('sha256')
        .update(JSON.stringify([user.username, accounts]))
        .digest('hex')
        .slice(0, 12);
      this.cache.set(user, state);
    }
    return state;
  }
}

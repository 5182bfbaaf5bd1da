import { Injectable } from '@nestjs/common';
import { JmapPushSession, WEBPUSH_VAPID_CAPABILITY, WEBSOCKET_CAPABILITY } from 'jmap-push';
import type { JmapUser } from '../auth/jmap-user';
import { CORE_CAPABILITY, CORE_LIMITS, MAIL_ACCOUNT_CAPABILITY, MAIL_CAPABILITY } from '../api/capabilities';
import { SessionStateService } from './session-state.service';

/** Where the HTTP resources live, relative to the base URL. */
export const API_PATH = '/jmap/api';
export const DOWNLOAD_PATH = '/jmap/download';
export const UPLOAD_PATH = '/jmap/upload';

/** Builds the RFC 8620 section 2 Session object for a user. */
@Injectable()
export class SessionService {
  constructor(
    private readonly push: JmapPushSession,
    private readonly sessionState: SessionStateService,
  ) {}

  build(user: JmapUser, baseUrl: string): Record<string, unknown> {
    const accounts: Record<string, unknown> = {};
    for (const access of user.accounts.values()) {
      accounts[access.accountId] = {
        name: access.name,
        isPersonal: access.isPersonal,
        isReadOnly: access.isReadOnly,
        accountCapabilities: {
          [CORE_CAPABILITY]: {},
          [MAIL_CAPABILITY]: { ...MAIL_ACCOUNT_CAPABILITY, mayCreateTopLevelMailbox: !access.isReadOnly },
        },
      };
    }
    const webSocket = this.push.webSocketCapability(baseUrl);
    // RFC 9749 section 3: the key a client hands `PushManager.subscribe()` as `applicationServerKey`.
    const vapid = this.push.webPushVapidCapability();
    return {
      capabilities: {
        [CORE_CAPABILITY]: CORE_LIMITS,
        [MAIL_CAPABILITY]: {},
        ...(webSocket && { [WEBSOCKET_CAPABILITY]: webSocket }),
        ...(vapid && { [WEBPUSH_VAPID_CAPABILITY]: vapid }),
      },
      accounts,
      primaryAccounts: { [CORE_CAPABILITY]: user.accountId, [MAIL_CAPABILITY]: user.accountId },
      username: user.username,
      apiUrl: `${baseUrl}${API_PATH}`,
      downloadUrl: `${baseUrl}${DOWNLOAD_PATH}/{accountId}/{blobId}/{name}?accept={type}`,
      uploadUrl: `${baseUrl}${UPLOAD_PATH}/{accountId}/`,
      eventSourceUrl: this.push.eventSourceUrl(baseUrl),
      state: this.sessionState.stateFor(user),
    };
  }
}

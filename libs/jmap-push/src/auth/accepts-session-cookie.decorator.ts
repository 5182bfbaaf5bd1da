import { SetMetadata } from '@nestjs/common';

export const ACCEPTS_SESSION_COOKIE = 'jmap-push:accepts-session-cookie';

/**
 * Marks a route on which `PushAuthGuard` may take a browser session cookie in place of an
 * `Authorization` header: the event source only. Minting a session always takes real credentials.
 */
export const AcceptsSessionCookie = () => SetMetadata(ACCEPTS_SESSION_COOKIE, true);

import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { PUSH_EXTRAS, PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { JmapPushModuleExtras } from '../jmap-push-options.interface';
import type { PushSettings } from '../push-settings';
import type { Principal } from './principal.interface';
import { readCookie, serializeCookie } from './session-cookie';
import { SessionCookieCodec } from './session-cookie.codec';

/** The browser sign-in of `BrowserSessionOptions`: mints, reads and revokes session cookies. */
@Injectable()
export class BrowserSessions {
  private readonly codec: SessionCookieCodec | undefined;
  private readonly cookiePath: string;

  constructor(
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    @Inject(PUSH_EXTRAS) extras: Required<JmapPushModuleExtras>,
  ) {
    const options = settings.browserSessions;
    this.codec = options && new SessionCookieCodec(options.secret, options.ttlSeconds);
    this.cookiePath = options?.cookiePath ?? `/${extras.path.replace(/^\/+|\/+$/g, '')}`;
  }

  get enabled(): boolean {
    return this.codec !== undefined;
  }

  /** The `Set-Cookie` value that signs `principal` in. */
  signIn(principal: Principal): string {
    const { value, maxAge } = this.requireCodec().mint(principal);
    return this.cookie(value, maxAge);
  }

  /** Revokes the request's session, if any, and returns the `Set-Cookie` value that deletes it. */
  signOut(request: IncomingMessage): string {
    const value = this.read(request);
    if (value) this.requireCodec().revoke(value);
    return this.cookie('', 0);
  }

  /** Whether the request carries a session cookie at all, valid or not. */
  hasCookie(request: IncomingMessage): boolean {
    return this.read(request) !== undefined;
  }

  /** The principal of the request's session cookie; `undefined` when absent, forged, expired or revoked. */
  principalOf(request: IncomingMessage): Principal | undefined {
    const value = this.read(request);
    return value === undefined ? undefined : this.codec?.verify(value);
  }

  private read(request: IncomingMessage): string | undefined {
    const options = this.settings.browserSessions;
    return options && readCookie(request, options.cookieName);
  }

  private cookie(value: string, maxAge: number): string {
    const options = this.settings.browserSessions as NonNullable<PushSettings['browserSessions']>;
    return serializeCookie(options.cookieName, value, {
      maxAge,
      path: this.cookiePath,
      sameSite: options.sameSite,
      secure: options.secure,
    });
  }

  private requireCodec(): SessionCookieCodec {
    if (!this.codec) throw new Error('browserSessions is not configured');
    return this.codec;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { PUSH_EXTRAS, PUSH_SETTINGS } from '../jmap-push.internal-constants';
import type { JmapPushModuleExtras } from '../jmap-push-options.interface';
import type { PushSettings } from '../push-settings';
import type { BrowserSession, SignOut } from './authentication';
import type { Principal } from './principal.interface';
import { readCookie, serializeCookie } from './session-cookie';
import { SessionCookieCodec } from './session-cookie.codec';

/** The browser sign-in of `BrowserSessionOptions`: mints, reads and revokes session cookies. */
@Injectable()
export class BrowserSessions {
  private readonly codec: SessionCookieCodec | undefined;
  /** The event source's path, and the WebSocket endpoint's: the cookie is scoped to each, and nothing else. */
  private readonly cookiePaths: readonly string[];
  private readonly signOutListeners = new Set<(signOut: SignOut) => void>();

  constructor(
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    @Inject(PUSH_EXTRAS) extras: Required<JmapPushModuleExtras>,
  ) {
    const options = settings.browserSessions;
    if (options && !extras.browserSignIn) {
      throw new JmapPushConfigError(
        'JmapPushModule: browserSessions is set but its sign-in routes are not mounted: pass browserSignIn: true to forRootAsync',
      );
    }
    this.codec = options && new SessionCookieCodec(options.secret, options.ttlSeconds);
    const webSocket = settings.webSocket && `/${settings.webSocket.path}`;
    this.cookiePaths = options?.cookiePath
      ? [options.cookiePath]
      : [`/${extras.path}`, ...(webSocket ? [webSocket] : [])];
  }

  get enabled(): boolean {
    return this.codec !== undefined;
  }

  /** The `Set-Cookie` values that sign `principal` in (one per path the cookie serves). */
  signIn(principal: Principal): string[] {
    const { value, maxAge } = this.requireCodec().mint(principal);
    return this.cookie(value, maxAge);
  }

  /**
   * Revokes the request's session, if any, tells the sign-out listeners (whose subscriptions made with it
   * end), and returns the `Set-Cookie` values that delete it.
   */
  signOut(request: IncomingMessage): string[] {
    const value = this.read(request);
    const ended = value === undefined ? undefined : this.requireCodec().revoke(value);
    if (ended) for (const listener of this.signOutListeners) listener(ended);
    return this.cookie('', 0);
  }

  /** Calls `listener` with every sign-out on this node; returns its removal. */
  onSignOut(listener: (signOut: SignOut) => void): () => void {
    this.signOutListeners.add(listener);
    return () => this.signOutListeners.delete(listener);
  }

  /** Whether the request carries a session cookie at all, valid or not. */
  hasCookie(request: IncomingMessage): boolean {
    return this.read(request) !== undefined;
  }

  /** The request's session; `undefined` when absent, forged, expired or revoked. */
  sessionOf(request: IncomingMessage): BrowserSession | undefined {
    const value = this.read(request);
    return value === undefined ? undefined : this.codec?.session(value);
  }

  private read(request: IncomingMessage): string | undefined {
    const options = this.settings.browserSessions;
    return options && readCookie(request, options.cookieName);
  }

  private cookie(value: string, maxAge: number): string[] {
    const options = this.settings.browserSessions as NonNullable<PushSettings['browserSessions']>;
    return this.cookiePaths.map((path) =>
      serializeCookie(options.cookieName, value, { maxAge, path, sameSite: options.sameSite, secure: options.secure }),
    );
  }

  private requireCodec(): SessionCookieCodec {
    if (!this.codec) throw new Error('browserSessions is not configured');
    return this.codec;
  }
}

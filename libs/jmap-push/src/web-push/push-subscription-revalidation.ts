import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { SignOut } from '../auth/authentication';
import { Authenticator } from '../auth/authenticator.interface';
import { BrowserSessions } from '../auth/browser-sessions';
import { isPrincipal } from '../auth/is-principal';
import { PUSH_SETTINGS } from '../jmap-push.internal-constants';
import { PushMetrics } from '../metrics/push-metrics';
import type { PushSettings } from '../push-settings';
import { describeError } from '../util/describe-error';
import { withTimeout } from '../util/with-timeout';
import { browserSessionCredential, isBrowserSessionCredential } from './push-subscription-caller';
import type { StoredPrincipal } from './push-subscription';
import { PushSubscriptionStore } from './push-subscription-store.interface';
import { retire, staleReason } from './subscription-retirement';
import type { WebPushSettings } from './web-push-settings';

/** Credentials re-checked at once; bounds the burst on the host's directory. */
const CONCURRENCY = 32;

/**
 * Keeps stored push subscriptions as their credentials allow, every `revalidateIntervalMs`:
 *
 * - RFC 8620 section 7.2: "Should these credentials expire or be revoked, the push subscription MUST be
 *   destroyed". Each stored credential's principal goes to `Authenticator.revalidate` (when the host has
 *   it): `null` destroys the credential's subscriptions; other accounts replace the stored ones, so a
 *   revoked grant stops flowing; a throw keeps them (a directory outage must not wipe every device).
 * - Expired subscriptions, and those made under another VAPID key (RFC 9749 section 5), are destroyed.
 * - A browser sign-out destroys the subscriptions made with that session at once.
 *
 * Every node runs the pass over the shared store: destroying is idempotent, and counted once.
 */
@Injectable()
export class PushSubscriptionRevalidation implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JmapPush');
  private readonly webPush: WebPushSettings | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopSignOuts: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    @Inject(PushSubscriptionStore) private readonly store: PushSubscriptionStore | null,
    private readonly sessions: BrowserSessions,
    private readonly metrics: PushMetrics,
  ) {
    this.webPush = settings.webPush;
  }

  onApplicationBootstrap(): void {
    if (!this.store || !this.webPush) return;
    this.timer = setInterval(() => void this.revalidateAll(), this.settings.revalidateIntervalMs).unref();
    this.stopSignOuts = this.sessions.onSignOut((signOut) => void this.signedOut(signOut));
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stopSignOuts?.();
  }

  /**
   * One pass over every stored credential (exposed for tests; a pass already running is joined, not
   * doubled): at most `CONCURRENCY` at once, each question bounded by `authenticationTimeoutMs`.
   */
  revalidateAll(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * A browser session signed out: its subscriptions go. When the sign-out revoked every session of the
   * principal minted up to a time, every browser-session subscription of that principal goes: credential
   * ids do not say when their session was minted, so sessions minted later lose theirs too (their clients
   * re-subscribe), which errs on the side the RFC's MUST asks for.
   */
  async signedOut({ principalId, sessionId, mintedUpTo }: SignOut): Promise<void> {
    const store = this.store as PushSubscriptionStore;
    try {
      const credentialIds = [browserSessionCredential(sessionId)];
      if (mintedUpTo !== undefined) {
        for (const { credentialId, principal } of await store.credentials()) {
          if (principal.id === principalId && isBrowserSessionCredential(credentialId)) {
            credentialIds.push(credentialId);
          }
        }
      }
      for (const credentialId of new Set(credentialIds)) await this.destroyCredential(credentialId);
    } catch (error) {
      this.logger.warn(
        `The push subscriptions of a signed-out session could not be destroyed: ${describeError(error)}`,
      );
    }
  }

  private async pass(): Promise<void> {
    const store = this.store as PushSubscriptionStore;
    let queue: Array<{ readonly credentialId: string; readonly principal: StoredPrincipal }>;
    try {
      queue = await store.credentials();
    } catch (error) {
      this.logger.warn(`Push subscriptions could not be revalidated: ${describeError(error)}`);
      return;
    }
    const worker = async (): Promise<void> => {
      for (let next = queue.pop(); next; next = queue.pop()) await this.recheck(next.credentialId, next.principal);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  }

  private async recheck(credentialId: string, principal: StoredPrincipal): Promise<void> {
    try {
      const fresh = await this.revalidated(principal);
      if (fresh === null) {
        await this.destroyCredential(credentialId);
        return;
      }
      await this.sweep(credentialId, fresh);
    } catch (error) {
      this.logger.warn(
        `Push subscriptions of principal ${principal.id} could not be revalidated; they stay as they are: ${describeError(error)}`,
      );
    }
  }

  /**
   * The principal as the directory sees it now: `null` when revoked (or answered as another principal),
   * the stored one when the host cannot revalidate. Throws when the directory failed or timed out.
   */
  private async revalidated(principal: StoredPrincipal): Promise<StoredPrincipal | null> {
    const revalidate = this.authenticator.revalidate?.bind(this.authenticator);
    if (!revalidate) return principal;
    const fresh: unknown = await withTimeout(
      () => revalidate(principal),
      this.settings.authenticationTimeoutMs,
      () => new Error('revalidate timed out'),
    );
    if (!isPrincipal(fresh) || fresh.id !== principal.id) return null;
    const { credentialId } = principal;
    const accountIds = [...new Set(fresh.accountIds)];
    return credentialId === undefined ? { id: fresh.id, accountIds } : { id: fresh.id, accountIds, credentialId };
  }

  /** Each subscription of the credential: stale ones destroyed, the others carry the principal's accounts now. */
  private async sweep(credentialId: string, principal: StoredPrincipal): Promise<void> {
    const store = this.store as PushSubscriptionStore;
    const now = Date.now();
    for (const subscription of await store.listByCredential(credentialId)) {
      const stale = staleReason(subscription, this.webPush as WebPushSettings, now);
      if (stale) await retire(store, this.metrics, subscription.id, stale);
      else if (!sameAccounts(subscription.principal.accountIds, principal.accountIds)) {
        await store.update(subscription.id, { principal });
      }
    }
  }

  private async destroyCredential(credentialId: string): Promise<void> {
    const destroyed = await (this.store as PushSubscriptionStore).destroyCredential(credentialId);
    if (destroyed.length > 0) this.metrics.pushSubscriptionDestroyed('revoked', destroyed.length);
  }
}

function sameAccounts(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((id) => set.has(id));
}

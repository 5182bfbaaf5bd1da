import { createECDH, randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal.interface';
import { PushMetrics } from '../metrics/push-metrics';
import type { PushSettings } from '../push-settings';
import { TypeRegistry } from '../state/type-registry';
import { DeliverySignal } from './delivery-signal';
import { InMemoryPushSubscriptionStore } from './in-memory-push-subscription.store';
import type { PushKeys } from './push-subscription';
import type { PushSubscriptionCaller } from './push-subscription-caller';
import { PushSubscriptionMethods } from './push-subscription-methods';
import type { PushSubscriptionStore } from './push-subscription-store.interface';
import type { VapidKeys, WebPushOptions } from './web-push-options.interface';
import { resolveWebPushSettings, type WebPushSettings } from './web-push-settings';

/** The type names the fixture's server pushes. */
export const TYPES = ['Mailbox', 'Email', 'Thread', 'EmailDelivery'] as const;

/** A fresh VAPID identity. */
export function vapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero octets (1 key in 256): VAPID wants all 32.
  const privateKey = ecdh.getPrivateKey();
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: Buffer.concat([Buffer.alloc(32 - privateKey.length), privateKey]).toString('base64url'),
    subject: 'mailto:ops@example.test',
  };
}

/** The RFC 8291 keys of a fresh user agent, as a browser's `PushSubscription.toJSON()` gives them. */
export function deviceKeys(): PushKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** Who calls: one credential of a principal (default alice, reading accounts a and shared). */
export function callerOf(
  credentialId: string,
  options: { principal?: Principal; credentialExpiresAt?: number } = {},
): PushSubscriptionCaller {
  const principal = options.principal ?? { id: 'alice', accountIds: ['a', 'shared'] };
  return options.credentialExpiresAt === undefined
    ? { principal, credentialId }
    : { principal, credentialId, credentialExpiresAt: options.credentialExpiresAt };
}

/** A create the server accepts. */
export function validCreate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { deviceClientId: 'device-1', url: 'https://push.example/endpoint/1', keys: deviceKeys(), ...overrides };
}

export interface MethodsFixture {
  readonly methods: PushSubscriptionMethods;
  readonly store: PushSubscriptionStore;
  readonly settings: WebPushSettings;
  readonly signal: DeliverySignal;
  /** How many times the delivery signal fired. */
  notified(): number;
}

/** The methods over an in-memory store (or `store`), with `options` on top of a fresh VAPID identity. */
export function methodsFixture(
  options: Partial<WebPushOptions> = {},
  store: PushSubscriptionStore = new InMemoryPushSubscriptionStore(),
): MethodsFixture {
  const settings = resolveWebPushSettings({ vapid: vapidKeys(), ...options });
  const signal = new DeliverySignal();
  let notifications = 0;
  signal.onNotify(() => {
    notifications++;
  });
  const types = new TypeRegistry({ types: TYPES } as unknown as PushSettings);
  return {
    methods: new PushSubscriptionMethods(store, settings, types, signal, new PushMetrics()),
    store,
    settings,
    signal,
    notified: () => notifications,
  };
}

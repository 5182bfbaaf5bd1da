import * as webPush from 'web-push';
import {
  PushSubscriptionMethods,
  PushSubscriptionStore,
  type PushSubscriptionCaller,
  type PushSubscriptionResponse,
  type VapidKeys,
  type WebPushOptions,
} from 'jmap-push';
import { FakePushService, type FakePushSubscription, type RecordedPush, type ScriptedAnswer } from 'jmap-push/testing';
import { PushDelivery } from 'jmap-push/web-push/push-delivery';
import { PushSubscriptionRevalidation } from 'jmap-push/web-push/push-subscription-revalidation';
import { startPushApp, type PushApp, type PushAppOptions } from '../../support/push-app';
import { pushServiceCertificate as certificate } from './tls';

/** A fresh VAPID identity of the server (RFC 8292). */
export function vapidKeys(): VapidKeys {
  const { publicKey, privateKey } = webPush.generateVAPIDKeys();
  return { publicKey, privateKey, subject: 'mailto:ops@example.com' };
}

/** bob of `DEFAULT_USERS` (his account and alice's shared one), by password: one credential. */
export const BOB: PushSubscriptionCaller = {
  principal: { id: 'bob@example.com', accountIds: ['acc-bob', 'acc-alice'] },
  credentialId: 'bob:password',
};

/** A subscription made through `PushSubscription/set`, and the fake device behind its URL. */
export interface Subscribed {
  readonly id: string;
  /** The name of its subscription at the fake push service. */
  readonly name: string;
  readonly device: FakePushSubscription;
  /** What `/set` answered for the create (`id`, `expires`, ...). */
  readonly created: Record<string, unknown>;
}

export interface WebPushApp {
  readonly push: PushApp;
  readonly service: FakePushService;
  readonly store: PushSubscriptionStore;
  readonly methods: PushSubscriptionMethods;
  readonly vapid: VapidKeys;
  /** One revalidation pass now (the timer's own interval is long in tests). */
  revalidate(): Promise<void>;
  /**
   * A fake device named `name` at the push service, whose first pushes get `answers` (then 201); for a
   * subscription whose verification must meet them. `subscribe(name)` uses it.
   */
  device(name: string, ...answers: ScriptedAnswer[]): FakePushSubscription;
  /** Creates a subscription for the fake device `name` (new unless made with `device`) as `caller`. */
  subscribe(name: string, caller?: PushSubscriptionCaller, properties?: Record<string, unknown>): Promise<Subscribed>;
  /**
   * Waits for the subscription's PushVerification and sets its code, as a client does; resolves with
   * the verification's push.
   */
  verify(subscribed: Subscribed, caller?: PushSubscriptionCaller): Promise<RecordedPush>;
  /** `subscribe` then `verify`. */
  subscribeVerified(
    name: string,
    caller?: PushSubscriptionCaller,
    properties?: Record<string, unknown>,
  ): Promise<Subscribed>;
  /** `PushSubscription/set`, expected to answer (not a method error); its arguments. */
  set(args: Record<string, unknown>, caller?: PushSubscriptionCaller): Promise<Record<string, unknown>>;
  /** `PushSubscription/get`'s arguments. */
  get(args: Record<string, unknown>, caller?: PushSubscriptionCaller): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export type WebPushAppOptions = PushAppOptions & {
  /** `webPush` options over the test defaults (the fake service trusted and allowed, quick retries). */
  readonly webPushOptions?: Partial<WebPushOptions>;
  /** The fake push service to use instead of a new one (it is then not closed with the app). */
  readonly service?: FakePushService;
};

/** Starts a fake push service on 127.0.0.1 over HTTPS, with the test's certificate. */
export function startFakePushService(): Promise<FakePushService> {
  return FakePushService.start(certificate());
}

/**
 * The `webPush` option of the tests: the fake push service's certificate trusted, 127.0.0.1 allowed,
 * quick retries, room for many subscriptions, a fresh VAPID identity unless given; `overrides` on top.
 */
export function testWebPushOptions(overrides: Partial<WebPushOptions> = {}): WebPushOptions {
  return {
    ca: certificate().cert,
    allowHosts: ['127.0.0.1'],
    minRetryDelayMs: 50,
    maxRetryDelayMs: 5_000,
    // Tests make many subscriptions of one credential; the limits themselves are the methods' tests'.
    maxSubscriptionsPerCredential: 64,
    maxCreationsPerMinute: 64,
    ...overrides,
    vapid: overrides.vapid ?? vapidKeys(),
  };
}

function answered(response: PushSubscriptionResponse, name: string): Record<string, unknown> {
  const [method, args] = response;
  if (method !== name) throw new Error(`${name} answered ${method}: ${JSON.stringify(args)}`);
  return args;
}

/**
 * A push app with Web Push on, and a fake push service on 127.0.0.1 over real HTTPS that the app
 * trusts (`webPush.ca`) and may reach (`allowHosts`: loopback is refused to every other host).
 */
export async function startWebPushApp(options: WebPushAppOptions = {}): Promise<WebPushApp> {
  const { webPushOptions = {}, service: givenService, ...rest } = options;
  const service = givenService ?? (await startFakePushService());
  const webPush = testWebPushOptions(webPushOptions);
  const { vapid } = webPush;
  const push = await startPushApp({ ...rest, webPush });
  const methods = push.app.get(PushSubscriptionMethods);
  const devices = new Map<string, FakePushSubscription>();
  const app: WebPushApp = {
    push,
    service,
    store: push.app.get<PushSubscriptionStore>(PushSubscriptionStore),
    methods,
    vapid,
    revalidate: () => push.app.get(PushSubscriptionRevalidation).revalidateAll(),
    set: async (args, caller = BOB) => answered(await methods.set(args, caller), 'PushSubscription/set'),
    get: async (args, caller = BOB) => answered(await methods.get(args, caller), 'PushSubscription/get'),
    device(name, ...answers) {
      const device = service.subscription(name);
      service.answer(name, ...answers);
      devices.set(name, device);
      return device;
    },
    async subscribe(name, caller = BOB, properties = {}) {
      const device = devices.get(name) ?? service.subscription(name);
      const args = await app.set(
        {
          create: { new: { deviceClientId: `device-${name}`, url: device.endpoint, keys: device.keys, ...properties } },
        },
        caller,
      );
      const created = (args.created as Record<string, Record<string, unknown>> | null)?.new;
      if (!created) throw new Error(`not created: ${JSON.stringify(args.notCreated)}`);
      return { id: created.id as string, name, device, created };
    },
    async verify(subscribed, caller = BOB) {
      const verification = await service.nextPush(subscribed.name);
      const { verificationCode } = payloadOf(verification);
      const args = await app.set({ update: { [subscribed.id]: { verificationCode } } }, caller);
      if (args.notUpdated) throw new Error(`not verified: ${JSON.stringify(args.notUpdated)}`);
      return verification;
    },
    async subscribeVerified(name, caller = BOB, properties = {}) {
      const subscribed = await app.subscribe(name, caller, properties);
      await app.verify(subscribed, caller);
      return subscribed;
    },
    close: async () => {
      await push.close();
      if (!givenService) await service.close();
    },
  };
  return app;
}

/** The JSON a push carried, decrypted (RFC 8291). */
export function payloadOf(push: RecordedPush): Record<string, unknown> {
  if (push.payload === undefined) throw new Error(`the push did not decrypt: ${push.decryptError ?? '?'}`);
  return JSON.parse(push.payload.toString('utf8')) as Record<string, unknown>;
}

/** The `changed` of a StateChange push. */
export function changedOf(push: RecordedPush): Record<string, Record<string, string>> {
  const body = payloadOf(push);
  if (body['@type'] !== 'StateChange') throw new Error(`not a StateChange: ${JSON.stringify(body)}`);
  return body.changed as Record<string, Record<string, string>>;
}

/** The delivery worker of an app (to see what it holds in flight). */
export function deliveryOf(app: WebPushApp): PushDelivery {
  return app.push.app.get(PushDelivery);
}

/** Polls an asynchronous `condition` until it holds (e.g. the store's state, which the test cannot await). */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
}

/** Resolves once the app has nothing in flight and nothing pending: every push it owed was settled. */
export function quiet(app: WebPushApp, timeoutMs = 5_000): Promise<void> {
  return eventually(
    async () => deliveryOf(app).pushesInFlight === 0 && (await app.store.nextDueAt()) === undefined,
    'no push is in flight or pending',
    timeoutMs,
  );
}

/** Publishes a change and waits until the delivery worker queued it in the store (so it merges or not on purpose). */
export async function publishTaken(app: WebPushApp, accountId: string, changed: Record<string, string>): Promise<void> {
  await app.push.stateChanges.publish(accountId, changed);
  await deliveryOf(app).changesTaken();
}

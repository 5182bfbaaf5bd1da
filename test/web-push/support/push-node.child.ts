// One jmap-push node with Web Push on Redis (RedisPushBus + RedisPushSubscriptionStore), in a process
// of its own (see `PushNodeProcess`): the parent test drives it over IPC and may kill it with SIGKILL.
import Redis from 'ioredis';
import { PushSubscriptionMethods, type PushSubscriptionCaller, type WebPushOptions } from 'jmap-push';
import {
  RedisPushBus,
  RedisPushSubscriptionStore,
  type RedisPushBusOptions,
  type RedisPushSubscriptionStoreOptions,
} from 'jmap-push/redis';
import { startPushApp } from '../../support/push-app';

/** What the parent passes in `JMAP_PUSH_NODE_CONFIG` (JSON). */
export interface PushNodeConfig {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly webPush: Omit<WebPushOptions, 'store' | 'resolver'>;
  readonly bus?: Omit<RedisPushBusOptions, 'client' | 'keyPrefix'>;
  readonly store?: Omit<RedisPushSubscriptionStoreOptions, 'client' | 'keyPrefix'>;
}

/** A request of the parent; the child answers `{ id, result }` or `{ id, error }`. */
export type PushNodeRequest =
  | { readonly id: number; readonly op: 'set' | 'get'; readonly args: unknown; readonly caller: PushSubscriptionCaller }
  | {
      readonly id: number;
      readonly op: 'publish';
      readonly accountId: string;
      readonly changed: Record<string, string>;
    }
  | { readonly id: number; readonly op: 'metrics' };

/** What the child sends the parent. */
export type PushNodeMessage =
  | { readonly ready: true }
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string };

function send(message: PushNodeMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.JMAP_PUSH_NODE_CONFIG ?? '') as PushNodeConfig;
  const redis = new Redis(config.redisUrl);
  const bus = new RedisPushBus({ blockMs: 500, ...config.bus, client: redis, keyPrefix: config.keyPrefix });
  const store = new RedisPushSubscriptionStore({ ...config.store, client: redis, keyPrefix: config.keyPrefix });
  const push = await startPushApp({ bus, webPush: { ...config.webPush, store } });
  await bus.ready();
  const methods = push.app.get(PushSubscriptionMethods);

  const answer = async (request: PushNodeRequest): Promise<unknown> => {
    switch (request.op) {
      case 'set':
        return methods.set(request.args, request.caller);
      case 'get':
        return methods.get(request.args, request.caller);
      case 'publish':
        return push.stateChanges.publish(request.accountId, request.changed);
      case 'metrics':
        return push.metrics.snapshot();
    }
  };
  process.on('message', (request: PushNodeRequest) => {
    answer(request).then(
      (result) => {
        send({ id: request.id, result });
      },
      (error: unknown) => {
        send({ id: request.id, error: String(error) });
      },
    );
  });
  // An orderly stop, as a deployment's SIGTERM: the app's shutdown hands its work back.
  process.once('SIGTERM', () => {
    void push.close().finally(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
  // The test is gone: so is its node.
  process.once('disconnect', () => process.exit(1));
  send({ ready: true });
}

main().catch((error: unknown) => {
  console.error('the push node did not start', error);
  process.exit(1);
});

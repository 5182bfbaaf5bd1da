import { RedisPushBus, RedisPushSubscriptionStore } from '../../libs/jmap-push/src/redis';
import { waitUntil } from '../support/wait';
import { describePushSubscriptionStoreContract } from '../../libs/jmap-push/src/web-push/push-subscription-store.contract';
import { clusterClient, requireHealthyCluster, uniqueClusterPrefix } from './support/redis-cluster';

/**
 * The Web Push store contract on a real 3-master Redis Cluster: every script touches several keys, which a
 * hash-tagged prefix keeps in one slot (a CROSSSLOT error otherwise).
 */
beforeAll(requireHealthyCluster);

describePushSubscriptionStoreContract('RedisPushSubscriptionStore (ioredis Cluster)', async () => {
  const client = clusterClient();
  const keyPrefix = uniqueClusterPrefix();
  const store = new RedisPushSubscriptionStore({ client, keyPrefix });
  await store.ready();
  return {
    store,
    teardown: async () => {
      await store.close();
      // Every key of the prefix lives on the one master its hash tag names.
      const keys = await client.keys(`${keyPrefix}*`);
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
    },
  };
});

it('refuses a Cluster client whose prefix has no hash tag', () => {
  const client = clusterClient();
  try {
    expect(() => new RedisPushSubscriptionStore({ client, keyPrefix: 'jmap-push-untagged:' })).toThrow(/hash tag/);
  } finally {
    client.disconnect();
  }
});

it("hands every change of the bus's change log to one of two nodes' consumer groups, on the cluster", async () => {
  const keyPrefix = uniqueClusterPrefix();
  const clients = [clusterClient(), clusterClient(), clusterClient()];
  const bus = new RedisPushBus({ client: clients[0], keyPrefix, blockMs: 500 });
  const nodes = clients
    .slice(1)
    .map((client, n) => new RedisPushSubscriptionStore({ client, keyPrefix, consumerName: `node-${n}`, blockMs: 500 }));
  const handed: string[][] = [[], []];
  try {
    await Promise.all(nodes.map((node) => node.ready()));
    nodes.forEach((node, n) => {
      node.consumeChanges((change) => {
        handed[n].push(change.id);
        return Promise.resolve();
      });
    });
    const published: string[] = [];
    for (let i = 0; i < 30; i++) published.push(await bus.publish(`acc-${i % 3}`, { Email: `s${i}` }));
    await waitUntil(() => handed[0].length + handed[1].length >= published.length, 'every change handed out', 10_000);
    // Exactly once across both nodes: nothing twice, nothing missing.
    expect([...handed[0], ...handed[1]].sort()).toEqual([...published].sort());
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
    await bus.close();
    const keys = await clients[0].keys(`${keyPrefix}*`);
    if (keys.length > 0) await clients[0].del(...keys);
    clients.forEach((client) => {
      client.disconnect();
    });
  }
});

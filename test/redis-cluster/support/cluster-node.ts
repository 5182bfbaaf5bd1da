import type { Cluster } from 'ioredis';
import { RedisPushBus, type RedisPushBusOptions } from '../../../libs/jmap-push/src/redis';
import { startWsApp, type WsApp } from '../../websocket/support/ws-app';
import { clusterClient } from './redis-cluster';

/**
 * One node on the cluster: a Nest app with the push module (event source and WebSocket) on a Redis bus,
 * with a Cluster client of its own, as a process would have.
 */
export interface ClusterNode {
  readonly push: WsApp;
  readonly bus: RedisPushBus;
  readonly redis: Cluster;
}

export async function startClusterNode(
  keyPrefix: string,
  options: Partial<RedisPushBusOptions> = {},
): Promise<ClusterNode> {
  const redis = clusterClient();
  const bus = new RedisPushBus({ client: redis, keyPrefix, blockMs: 1_000, commandTimeoutMs: 1_000, ...options });
  const push = await startWsApp({ bus });
  // Streams opened before the read loop knows the change log's head would start from 0-0.
  await bus.ready();
  return { push, bus, redis };
}

export async function stopClusterNode(node: ClusterNode): Promise<void> {
  await node.push.close(); // closes the bus (module shutdown) but not the client...
  node.redis.disconnect(); // ...which stays the node's to close
}

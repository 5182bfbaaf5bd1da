import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis, { Cluster, type ClusterOptions } from 'ioredis';

const run = promisify(execFile);

/** The script that runs the test cluster (`.ci/run` starts it; developers run it by hand). */
const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'redis-cluster.sh');

/** The nodes `scripts/redis-cluster.sh` starts: 3 masters and 3 replicas on loopback. */
export const CLUSTER_NODES = [7001, 7002, 7003, 7004, 7005, 7006].map((port) => ({ host: '127.0.0.1', port }));

/** Whether `requireHealthyCluster` found the cluster healthy, in this test file. */
let foundHealthy = false;

/**
 * Fails (never skips) unless the test cluster is healthy, saying how to start it. For `beforeAll`: every
 * test of the file then fails with this message.
 */
export async function requireHealthyCluster(): Promise<void> {
  try {
    await run('bash', [SCRIPT, 'status']);
    foundHealthy = true;
  } catch (error) {
    const said = (error as { stdout?: string }).stdout?.trim() ?? String(error);
    throw new Error(
      `These tests need the Redis Cluster of scripts/redis-cluster.sh (${said}). ` +
        'Start it with `scripts/redis-cluster.sh start` (CI does this in .ci/run).',
    );
  }
}

/**
 * Brings the test cluster back to health after a test took a node down: the script restarts the missing
 * node from its own nodes.conf (it rejoins as a replica) and waits until every node agrees all is well.
 * Only a cluster found healthy before is repaired: without one, the tests fail, and start nothing.
 */
export async function restoreCluster(): Promise<void> {
  if (!foundHealthy) return;
  await run('bash', [SCRIPT, 'start'], { timeout: 90_000 });
}

/** A client of the test cluster, as a node or a worker would have (errors reach callers, not the console). */
export function clusterClient(options: ClusterOptions = {}): Cluster {
  const cluster = new Cluster(CLUSTER_NODES, options);
  cluster.on('error', () => undefined);
  return cluster;
}

/**
 * A key prefix no other test (or run) uses, with a hash tag: every key of the bus lands in one slot, as
 * its MULTIs need on a cluster.
 */
export function uniqueClusterPrefix(): string {
  return `{jmap-push-test-${randomUUID()}}:`;
}

/** A node of the cluster as `CLUSTER NODES` lists it. */
export interface ClusterNode {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** The master a replica follows; `undefined` for a master. */
  readonly masterId?: string;
  readonly failing: boolean;
  /** Slot ranges a master serves. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

/**
 * Plain connections to single nodes, for what a test asks one node (CLUSTER NODES, KEYSLOT, CLIENT LIST)
 * or tells one (CLUSTER FAILOVER), whatever the slot map says. Each reconnects by itself after a restart.
 */
export class ClusterAdmin {
  private readonly connections = new Map<number, Redis>();

  /** The connection to the node on `port`. */
  node(port: number): Redis {
    let connection = this.connections.get(port);
    if (!connection) {
      connection = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      connection.on('error', () => undefined);
      this.connections.set(port, connection);
    }
    return connection;
  }

  /** The cluster's nodes, as the node on `port` sees them. */
  async nodes(port = CLUSTER_NODES[0].port): Promise<ClusterNode[]> {
    const listing = (await this.node(port).call('CLUSTER', 'NODES')) as string;
    return listing
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [id, address, flags, master, , , , , ...slots] = line.split(' ');
        return {
          id,
          port: Number(/:(\d+)@/.exec(address)?.[1]),
          role: flags.includes('master') ? 'master' : 'replica',
          masterId: master === '-' ? undefined : master,
          failing: flags.includes('fail'),
          slots: slots
            .filter((range) => !range.startsWith('['))
            .map((range) => {
              const [from, to = from] = range.split('-').map(Number);
              return [from, to] as const;
            }),
        };
      });
  }

  /** The slot of the bus's keys under `keyPrefix`, the master serving it and that master's replica. */
  async slotOwner(
    keyPrefix: string,
    port = CLUSTER_NODES[0].port,
  ): Promise<{ slot: number; master: ClusterNode; replica?: ClusterNode }> {
    const slot = Number(await this.node(port).call('CLUSTER', 'KEYSLOT', `${keyPrefix}stream`));
    const nodes = await this.nodes(port);
    const master = nodes.find(
      (node) => node.role === 'master' && node.slots.some(([from, to]) => from <= slot && slot <= to),
    );
    if (!master) throw new Error(`no master serves slot ${slot}: ${JSON.stringify(nodes)}`);
    const replica = nodes.find((node) => node.masterId === master.id && !node.failing);
    return { slot, master, replica };
  }

  /**
   * Deletes the keys under `keyPrefix` (all in one slot, by its hash tag) on the master serving them; nothing
   * when the cluster was not found healthy (no test ran, and the failure already says why).
   */
  async deleteKeys(keyPrefix: string): Promise<void> {
    if (!foundHealthy) return;
    const { slot, master } = await this.slotOwner(keyPrefix);
    const owner = this.node(master.port);
    for (;;) {
      const keys = (await owner.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '1000')) as string[];
      const ours = keys.filter((key) => key.startsWith(keyPrefix));
      if (ours.length === 0) return;
      await owner.del(...ours);
    }
  }

  close(): void {
    for (const connection of this.connections.values()) connection.disconnect();
    this.connections.clear();
  }
}

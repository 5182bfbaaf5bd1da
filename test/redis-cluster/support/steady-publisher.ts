import type { ClusterNode } from './cluster-node';

/** One publish the bus acknowledged: its event id and the state it carried. */
export interface Acknowledged {
  readonly id: string;
  readonly state: number;
}

/**
 * A backend that keeps publishing through a failover, as a real one would: a new state of `acc-bob`'s
 * Email every few milliseconds, from the nodes in turn, each with the next number, whether the previous
 * attempt was acknowledged or rejected (a rejected one is simply superseded by the next). Every state is
 * new, so a client can tell order, loss and repetition from the numbers alone.
 */
export class SteadyPublisher {
  readonly acknowledged: Acknowledged[] = [];
  readonly failures: string[] = [];
  private attempts = 0;
  private running = true;
  private readonly done: Promise<void>;
  private waiters: Array<{ count: number; wake: () => void }> = [];

  constructor(
    private readonly nodes: readonly ClusterNode[],
    private readonly pauseMs = 20,
  ) {
    this.done = this.run();
  }

  /** Resolves once `count` publishes in all were acknowledged; rejects after `timeoutMs`. */
  async acknowledgedCount(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.acknowledged.length >= count) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((wake) => this.waiters.push({ count, wake })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new Error(
                `${count} acknowledged publishes expected within ${timeoutMs} ms; got ${this.acknowledged.length} ` +
                  `(failures: ${this.failures.slice(-3).join('; ')})`,
              ),
            );
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops at the next acknowledged publish, and resolves with it: the last change the backend made, with
   * no attempt after it whose fate is unknown.
   */
  async stop(): Promise<Acknowledged> {
    this.running = false;
    await this.done;
    return this.acknowledged.at(-1) as Acknowledged;
  }

  private async run(): Promise<void> {
    let acknowledged = false;
    while (this.running || !acknowledged) {
      acknowledged = await this.attempt();
      // Pacing only (a backend's writes arrive spread out); nothing is asserted on time.
      await new Promise((wake) => setTimeout(wake, this.pauseMs));
    }
  }

  /** One publish of the next state, from the next node; true when acknowledged. */
  private async attempt(): Promise<boolean> {
    const state = ++this.attempts;
    const node = this.nodes[state % this.nodes.length];
    try {
      const id = await node.push.stateChanges.publish('acc-bob', { Email: String(state) });
      this.acknowledged.push({ id, state });
    } catch (error) {
      this.failures.push(String(error));
      return false;
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (this.acknowledged.length < waiter.count) return true;
      waiter.wake();
      return false;
    });
    return true;
  }
}

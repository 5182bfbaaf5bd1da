import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { PushSubscriptionCaller, PushSubscriptionResponse } from 'jmap-push';
import type { PushMetricsSnapshot } from 'jmap-push/metrics/push-metrics';
import type { PushNodeConfig, PushNodeMessage, PushNodeRequest } from './push-node.child';

export type { PushNodeConfig } from './push-node.child';

const RUNNER = join(__dirname, '../../support/typescript-hook.js');
const CHILD = join(__dirname, 'push-node.child.ts');
const START_TIMEOUT_MS = 30_000;

type PendingAnswer = { resolve: (result: unknown) => void; reject: (error: Error) => void };
type RequestBody = PushNodeRequest extends infer R ? (R extends PushNodeRequest ? Omit<R, 'id'> : never) : never;

/**
 * A jmap-push node in a child process (`push-node.child.ts`), on the test's Redis and push service: a
 * node that can crash for real. `kill()` is SIGKILL: no shutdown hook runs, nothing is handed back, its
 * connections drop as the kernel closes them; `stop()` is SIGTERM, an orderly shutdown.
 */
export class PushNodeProcess {
  private readonly answers = new Map<number, PendingAnswer>();
  private nextId = 0;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.on('message', (message: PushNodeMessage) => {
      if (!('id' in message)) return;
      const pending = this.answers.get(message.id);
      this.answers.delete(message.id);
      if ('error' in message) pending?.reject(new Error(message.error));
      else pending?.resolve(message.result);
    });
    void this.exited.then(() => {
      for (const pending of this.answers.values()) pending.reject(new Error('the push node exited'));
      this.answers.clear();
    });
  }

  /** Starts a node and resolves once its app is up (its consumer group joined, its bus reading). */
  static async start(config: PushNodeConfig): Promise<PushNodeProcess> {
    const child = fork(RUNNER, [CHILD], {
      env: { ...process.env, JMAP_PUSH_NODE_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    const node = new PushNodeProcess(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the push node did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      child.on('message', (message: PushNodeMessage) => {
        if ('ready' in message) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the push node exited (${code ?? signal ?? '?'}) before it was ready`));
      });
    });
    return node;
  }

  set(args: unknown, caller: PushSubscriptionCaller): Promise<PushSubscriptionResponse> {
    return this.request({ op: 'set', args, caller }) as Promise<PushSubscriptionResponse>;
  }

  get(args: unknown, caller: PushSubscriptionCaller): Promise<PushSubscriptionResponse> {
    return this.request({ op: 'get', args, caller }) as Promise<PushSubscriptionResponse>;
  }

  /** `StateChangeService.publish` on this node. */
  async publish(accountId: string, changed: Record<string, string>): Promise<void> {
    await this.request({ op: 'publish', accountId, changed });
  }

  metrics(): Promise<PushMetricsSnapshot> {
    return this.request({ op: 'metrics' }) as Promise<PushMetricsSnapshot>;
  }

  /** A crash: SIGKILL, resolved once the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** An orderly stop (SIGTERM: the app closes), resolved once the process is gone. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private request(body: RequestBody): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.answers.set(id, { resolve, reject });
      this.child.send({ ...body, id });
    });
  }
}

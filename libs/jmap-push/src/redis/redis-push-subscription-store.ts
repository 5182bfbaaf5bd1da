import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { JmapPushConfigError } from '../errors/jmap-push-config.error';
import { JmapPushError } from '../errors/jmap-push.error';
import { describeError } from '../util/describe-error';
import { positiveIntegerOption } from '../util/positive-integer-option';
import type {
  DeliveryClaim,
  DeliveryResult,
  PendingChange,
  PushSubscriptionChanges,
  StoredPrincipal,
  StoredPushSubscription,
} from '../web-push/push-subscription';
import type { PushSubscriptionStore, StoredChangeListener } from '../web-push/push-subscription-store.interface';
import { ChangeLogConsumer, ensureConsumerGroup, type ChangeLogConsumerOptions } from './change-log-consumer';
import { PushSubscriptionKeys } from './push-subscription-keys';
import {
  decodePendingPush,
  decodePrincipal,
  decodeRecord,
  encodeRecord,
  RECORD_FIELDS,
  storedPrincipal,
} from './push-subscription-record';
import { ADD_CHANGES, CLAIM, CREATE, DESTROY, SETTLE, UPDATE } from './push-subscription-scripts';
import { toRedisConnection } from './redis-client';
import type { OwnedRedisConnection, RedisConnection, RedisReply } from './redis-connection.interface';
import type { RedisPushSubscriptionStoreOptions } from './redis-push-subscription-store-options.interface';
import type { RedisScript } from './redis-script';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './state-change-writer';
import { withDeadline } from './with-deadline';

const OWNER = 'RedisPushSubscriptionStore';
const DEFAULT_CONSUMER_GROUP = 'web-push';
const DEFAULT_CLAIM_IDLE_MS = 30_000;
const DEFAULT_CLAIM_INTERVAL_MS = 5_000;
const DEFAULT_DEAD_CONSUMER_MS = 3_600_000;
const DEFAULT_READ_BATCH_SIZE = 100;
const DEFAULT_BLOCK_MS = 5_000;
const DEFAULT_CONNECTION_NAME = 'jmap-push:web-push';
const DEFAULT_READER_CONNECTION_NAME = 'jmap-push:web-push-reader';

/** Times a step that read first (update, destroy) retries when the subscription changed in between. */
const MAX_OPTIMISTIC_RETRIES = 10;
/** Subscriptions one ADD_CHANGES script merges into at most (a long script blocks Redis meanwhile). */
const MAX_SUBSCRIPTIONS_PER_SCRIPT = 100;
/** Reads sent at once by a listing (the rest wait their turn), so a huge set cannot flood the connection. */
const MAX_PARALLEL_READS = 500;
/** Rounds of `claimDue` when other nodes won some candidates. */
const MAX_CLAIM_ROUNDS = 5;
/**
 * Candidates a claim looks at per push it wants: nodes claiming at once read the same earliest ones,
 * and the spare ones are what the slower node gets instead of nothing.
 */
const CANDIDATES_PER_CLAIM = 4;
/** Spare candidates a claim looks at, at most. */
const MAX_SPARE_CANDIDATES = 100;
/** How long after its lease ended this node still remembers a claim's token for a late `settle`. */
const LEASE_MEMORY_MS = 600_000;

/** A claim this node holds: the token recorded with it in Redis, and when its lease ends. */
interface HeldLease {
  readonly token: string;
  readonly until: number;
}

/**
 * A `PushSubscriptionStore` on Redis, shared by every node: subscriptions and their delivery queue live
 * in Redis (see `PushSubscriptionKeys` for the layout), so any node can serve `PushSubscription/get` and
 * `/set`, and pending pushes survive restarts.
 *
 * - Every step that touches several keys is one Lua script (or reads, then runs a script that checks
 *   what it read is still so), so nodes racing on a subscription never see or leave it half-changed.
 * - `claimDue` hands each due push to one node for a lease; a node that dies lets its lease run out, and
 *   the next claim takes the push over with what the dead node held merged in.
 * - `consumeChanges` reads the bus's change log through a consumer group: each change is handed to one
 *   node, and to another if that node dies before it finished with it (see `ChangeLogConsumer`).
 *
 * Destroying erases: the subscription's hash (URL, keys, pending pushes) is deleted, not flagged.
 *
 * @example
 * ```ts
 * const store = new RedisPushSubscriptionStore({ client: redis, keyPrefix: 'jmap-push:' });
 * JmapPushModule.forRoot({ authenticator, bus: new RedisPushBus({ client: redis }), webPush: { vapid, store } });
 * ```
 */
export class RedisPushSubscriptionStore implements PushSubscriptionStore {
  private readonly source: RedisConnection;
  private readonly keys: PushSubscriptionKeys;
  private readonly commandTimeoutMs: number;
  private readonly connectionName: string;
  private readonly readerConnectionName: string;
  private readonly group: string;
  private readonly consumerName: string;
  private readonly consumerOptions: Omit<ChangeLogConsumerOptions, 'group' | 'consumer' | 'connectionName'>;
  private connection?: OwnedRedisConnection;
  private readonly consumers = new Set<ChangeLogConsumer>();
  private consumersStarted = 0;
  private readonly held = new Map<string, HeldLease>();
  private readonly leaseTokens = `${randomUUID()}:`;
  private leaseCount = 0;
  private closed = false;

  constructor(options: RedisPushSubscriptionStoreOptions) {
    this.keys = new PushSubscriptionKeys(options.keyPrefix);
    this.source = toRedisConnection(options.client, this.keys.prefix);
    this.commandTimeoutMs = count('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS);
    this.connectionName = options.connectionName ?? DEFAULT_CONNECTION_NAME;
    this.readerConnectionName = options.readerConnectionName ?? DEFAULT_READER_CONNECTION_NAME;
    this.group = name('consumerGroup', options.consumerGroup, DEFAULT_CONSUMER_GROUP);
    this.consumerName = name(
      'consumerName',
      options.consumerName,
      `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    );
    this.consumerOptions = {
      blockMs: count('blockMs', options.blockMs, DEFAULT_BLOCK_MS),
      batchSize: count('readBatchSize', options.readBatchSize, DEFAULT_READ_BATCH_SIZE),
      claimIdleMs: count('claimIdleMs', options.claimIdleMs, DEFAULT_CLAIM_IDLE_MS),
      claimIntervalMs: count('claimIntervalMs', options.claimIntervalMs, DEFAULT_CLAIM_INTERVAL_MS),
      deadConsumerMs: count('deadConsumerMs', options.deadConsumerMs, DEFAULT_DEAD_CONSUMER_MS),
    };
  }

  /**
   * Resolves once the consumer group exists on the change log (creating both if need be): from then on
   * every change published is kept for some node's `consumeChanges`, even before one reads. Await it
   * before serving when no change may be missed, and in tests.
   */
  async ready(): Promise<void> {
    await this.call((connection) => ensureConsumerGroup(connection, this.keys.changeLog, this.group));
  }

  async create(subscription: StoredPushSubscription, now: number): Promise<void> {
    const { id, credentialId } = subscription;
    const accountIds = unique(subscription.principal.accountIds);
    const created = await this.script(
      CREATE,
      [
        this.keys.subscription(id),
        this.keys.credential(credentialId),
        this.keys.credentials,
        this.keys.due,
        ...accountIds.map((accountId) => this.keys.account(accountId)),
      ],
      [
        id,
        credentialId,
        String(now),
        JSON.stringify({ verification: true, changes: {} }),
        ...encodeRecord(subscription),
      ],
    );
    if (created !== 1) throw new JmapPushError(`${OWNER}: a subscription with id ${id} exists already`);
  }

  async get(id: string): Promise<StoredPushSubscription | undefined> {
    return decodeRecord(await this.send(['HMGET', this.keys.subscription(id), ...RECORD_FIELDS]));
  }

  async listByCredential(credentialId: string): Promise<StoredPushSubscription[]> {
    const found = await this.getAll(await this.members(this.keys.credential(credentialId)));
    return found.filter((subscription) => subscription.credentialId === credentialId);
  }

  async update(id: string, changes: PushSubscriptionChanges): Promise<StoredPushSubscription | undefined> {
    const fields: string[] = [];
    if (changes.verified !== undefined) fields.push('verified', JSON.stringify(changes.verified));
    if (changes.expires !== undefined) fields.push('expires', JSON.stringify(changes.expires));
    if (changes.types !== undefined) fields.push('types', JSON.stringify(changes.types ? [...changes.types] : null));
    const key = this.keys.subscription(id);
    if (changes.principal === undefined) {
      if (fields.length === 0) return this.get(id);
      const updated = await this.script(UPDATE, [key, this.keys.due], [id, '', '0', '[]', ...fields]);
      return updated === 1 ? this.get(id) : undefined;
    }
    const next = storedPrincipal(changes.principal);
    fields.push('principal', JSON.stringify(next));
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const current = await this.send(['HGET', key, 'principal']);
      if (typeof current !== 'string') return undefined;
      const joined = unique(next.accountIds);
      const left = unique(accountIdsOf(current)).filter((accountId) => !joined.includes(accountId));
      const updated = await this.script(
        UPDATE,
        [key, this.keys.due, ...[...left, ...joined].map((accountId) => this.keys.account(accountId))],
        [id, current, String(left.length), JSON.stringify(left), ...fields],
      );
      if (updated === 1) return this.get(id);
      if (updated === 0) return undefined;
    }
    throw new JmapPushError(`${OWNER}: subscription ${id} kept changing during an update`);
  }

  async destroy(id: string): Promise<boolean> {
    this.held.delete(id);
    const key = this.keys.subscription(id);
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const [credentialField, principalField] = asArray(await this.send(['HMGET', key, 'credentialId', 'principal']));
      if (typeof credentialField !== 'string') return false;
      const credentialId = parseString(credentialField);
      const principal = typeof principalField === 'string' ? principalField : '';
      const destroyed = await this.script(
        DESTROY,
        [
          key,
          this.keys.credential(credentialId),
          this.keys.credentials,
          this.keys.due,
          ...unique(accountIdsOf(principal)).map((accountId) => this.keys.account(accountId)),
        ],
        [id, credentialId, credentialField, principal],
      );
      if (destroyed === 1) return true;
      if (destroyed === 0) return false;
    }
    throw new JmapPushError(`${OWNER}: subscription ${id} kept changing during its destruction`);
  }

  async destroyCredential(credentialId: string): Promise<string[]> {
    const ids = await this.members(this.keys.credential(credentialId));
    const destroyed = await inBatches(ids, async (id) => ((await this.destroy(id)) ? id : undefined));
    return destroyed.filter((id): id is string => id !== undefined);
  }

  async subscribersOf(accountId: string): Promise<StoredPushSubscription[]> {
    const found = await this.getAll(await this.members(this.keys.account(accountId)));
    return found.filter((subscription) => subscription.principal.accountIds.includes(accountId));
  }

  async credentials(): Promise<Array<{ readonly credentialId: string; readonly principal: StoredPrincipal }>> {
    const credentialIds = (await this.members(this.keys.credentials)).sort();
    const found = await inBatches(credentialIds, async (credentialId) => {
      // Every subscription of a credential carries its principal; any one of them tells it.
      const id = await this.send(['SRANDMEMBER', this.keys.credential(credentialId)]);
      if (typeof id !== 'string') return undefined;
      const principal = decodePrincipal(await this.send(['HGET', this.keys.subscription(id), 'principal']));
      return principal ? { credentialId, principal } : undefined;
    });
    return found.filter((entry) => entry !== undefined);
  }

  async addChanges(changes: readonly PendingChange[], now: number): Promise<number> {
    // One subscription's changes stay together and in order: the script merges them in that order.
    const bySubscription = new Map<string, PendingChange[]>();
    for (const change of changes) {
      const list = bySubscription.get(change.subscriptionId);
      if (list) list.push(change);
      else bySubscription.set(change.subscriptionId, [change]);
    }
    const groups = [...bySubscription.entries()];
    const scripts: Array<Promise<RedisReply>> = [];
    for (let start = 0; start < groups.length; start += MAX_SUBSCRIPTIONS_PER_SCRIPT) {
      const batch = groups.slice(start, start + MAX_SUBSCRIPTIONS_PER_SCRIPT);
      const args = [String(now)];
      for (const [id, list] of batch) {
        args.push(id, String(list.length));
        for (const change of list) args.push(change.accountId, JSON.stringify(change.changed), change.changeId ?? '');
      }
      scripts.push(this.script(ADD_CHANGES, [this.keys.due, ...batch.map(([id]) => this.keys.subscription(id))], args));
    }
    let merged = 0;
    for (const reply of await Promise.all(scripts)) merged += typeof reply === 'number' ? reply : 0;
    return merged;
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<DeliveryClaim[]> {
    this.forgetOldLeases(now);
    const claims: DeliveryClaim[] = [];
    for (let round = 0; round < MAX_CLAIM_ROUNDS && claims.length < limit; round++) {
      const wanted = limit - claims.length;
      const candidates = Math.min(wanted * CANDIDATES_PER_CLAIM, wanted + MAX_SPARE_CANDIDATES);
      const ids = asArray(
        await this.send(['ZRANGE', this.keys.due, '-inf', String(now), 'BYSCORE', 'LIMIT', '0', String(candidates)]),
      ).filter((id): id is string => typeof id === 'string');
      if (ids.length === 0) break;
      const token = `${this.leaseTokens}${++this.leaseCount}`;
      const until = now + leaseMs;
      const reply = await this.script(
        CLAIM,
        [this.keys.due, ...ids.map((id) => this.keys.subscription(id))],
        [String(now), String(until), token, String(wanted), ...ids],
      );
      for (const row of asArray(reply)) {
        const [id, held, attempt, record] = asArray(row);
        const subscription = decodeRecord(record ?? null);
        const pending = decodePendingPush(held ?? null);
        if (typeof id !== 'string' || !subscription || !pending) continue;
        this.held.set(id, { token, until });
        claims.push({ subscription, pending, attempt: Number(attempt) || 0 });
      }
      // Fewer due than looked for: there are no more. Otherwise other nodes won some: look again.
      if (ids.length < candidates) break;
    }
    return claims;
  }

  async settle(subscriptionId: string, result: DeliveryResult, now: number): Promise<void> {
    const outcome = (result as { outcome?: unknown }).outcome;
    if (outcome !== 'done' && outcome !== 'retry') {
      throw new JmapPushError(`${OWNER}: settle() needs a result of outcome 'done' or 'retry'`);
    }
    const at = result.outcome === 'retry' ? result.at : now;
    if (!Number.isFinite(at)) throw new JmapPushError(`${OWNER}: settle() needs a finite retry time`);
    // The token fences a settle that comes after another node took the push over: Redis ignores it. A
    // claim this node does not remember (it restarted) is settled as it stands.
    const lease = this.held.get(subscriptionId);
    this.held.delete(subscriptionId);
    await this.script(
      SETTLE,
      [this.keys.subscription(subscriptionId), this.keys.due],
      [subscriptionId, outcome, String(now), String(at), lease?.token ?? ''],
    );
  }

  async nextDueAt(): Promise<number | undefined> {
    const [, score] = asArray(await this.send(['ZRANGE', this.keys.due, '0', '0', 'WITHSCORES']));
    return typeof score === 'string' ? Number(score) : undefined;
  }

  /**
   * Feeds `listener` from the consumer group on the bus's change log: each change goes to one node's
   * listener, and the node acknowledges it once the listener resolved. A change whose node died (or
   * whose listener rejected) is handed to a node again once it was unacknowledged for `claimIdleMs`,
   * within a further `claimIntervalMs`. Returns a function that stops this feed.
   */
  consumeChanges(listener: StoredChangeListener): () => Promise<void> {
    if (this.closed) throw new JmapPushError(`${OWNER} is closed`);
    // A second feed of the same store is a second consumer: a name of its own keeps their entries apart.
    const suffix = this.consumersStarted++ === 0 ? '' : `:${this.consumersStarted}`;
    const consumer = new ChangeLogConsumer(
      this.source,
      this.keys.changeLog,
      {
        ...this.consumerOptions,
        group: this.group,
        consumer: `${this.consumerName}${suffix}`,
        connectionName: this.readerConnectionName,
      },
      listener,
    );
    this.consumers.add(consumer);
    consumer.start();
    return async () => {
      this.consumers.delete(consumer);
      await consumer.stop();
    };
  }

  /** Stops every `consumeChanges` feed and closes the store's own connections (never the client given). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all([...consumers.map((consumer) => consumer.stop()), this.connection?.close()]);
  }

  private async getAll(ids: readonly string[]): Promise<StoredPushSubscription[]> {
    const found = await inBatches(ids, (id) => this.get(id));
    return found
      .filter((subscription) => subscription !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async members(key: string): Promise<string[]> {
    return asArray(await this.send(['SMEMBERS', key])).filter((member): member is string => typeof member === 'string');
  }

  /** Drops tokens of claims long past their lease, which a worker will never settle any more. */
  private forgetOldLeases(now: number): void {
    for (const [id, lease] of this.held) if (lease.until + LEASE_MEMORY_MS < now) this.held.delete(id);
  }

  private send(args: readonly string[]): Promise<RedisReply> {
    return this.call((connection) => connection.send(args));
  }

  private script(script: RedisScript, keys: readonly string[], args: readonly string[]): Promise<RedisReply> {
    return this.call((connection) => script.run(connection, keys, args));
  }

  /**
   * Runs `work` on the store's own connection, which never queues a command while Redis is away nor
   * re-sends one after a reconnection (a claim or settle carried out late, behind the caller's back,
   * would be worse than one reported failed). Rejects after `commandTimeoutMs`.
   */
  private async call<T>(work: (connection: RedisConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new JmapPushError(`${OWNER} is closed`);
    const connection = (this.connection ??= this.source.duplicate(this.connectionName, 'writes'));
    try {
      return await withDeadline(connection, this.commandTimeoutMs, () => work(connection));
    } catch (error) {
      throw new JmapPushError(`${OWNER}: ${describeError(error)}`, { cause: error });
    }
  }
}

function count(name: string, value: number | undefined, fallback: number): number {
  return positiveIntegerOption(OWNER, name, value, fallback);
}

/** A name option (consumer group, consumer), or its default; an empty name would be refused by Redis later. */
function name(option: string, value: string | undefined, fallback: string): string {
  const chosen = value ?? fallback;
  if (typeof chosen !== 'string' || chosen === '') {
    throw new JmapPushConfigError(`${OWNER}: ${option} must be a non-empty string`);
  }
  return chosen;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function asArray(reply: RedisReply): RedisReply[] {
  return Array.isArray(reply) ? reply : [];
}

function parseString(json: string): string {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

function accountIdsOf(principalJson: string): readonly string[] {
  return decodePrincipal(principalJson)?.accountIds ?? [];
}

/** `work` on every item, at most `MAX_PARALLEL_READS` at a time, results in item order. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += MAX_PARALLEL_READS) {
    results.push(...(await Promise.all(items.slice(start, start + MAX_PARALLEL_READS).map(work))));
  }
  return results;
}

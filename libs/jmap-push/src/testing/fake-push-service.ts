import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptAes128gcm, type UserAgentKeys } from './rfc8291-decrypt';
import { verifyVapid, type VapidCheck } from './vapid-verify';

/** The TLS identity the fake push service serves; the client trusts it (e.g. `ca:` or `NODE_EXTRA_CA_CERTS`). */
export interface FakePushServiceOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

/** What a browser hands the page after `PushManager.subscribe()`: the JMAP `url` and `keys`. */
export interface FakePushSubscription {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** How a subscription is made: `applicationServerKey` restricts it to one application server (RFC 8292 section 4). */
export interface FakeSubscriptionOptions {
  /**
   * The VAPID public key (base64url, uncompressed P-256) the user agent subscribed with, as
   * `PushManager.subscribe({ applicationServerKey })` passes it: every push must then carry a valid
   * VAPID token signed by this key, or it is answered 403 (RFC 8292 section 4.2) and recorded.
   */
  readonly applicationServerKey?: string;
}

/** How the service answers the next request for a subscription. */
export interface ScriptedAnswer {
  readonly status: number;
  /** Sent as `Retry-After` (seconds or an HTTP date), e.g. with 429 or 503. */
  readonly retryAfter?: number | string;
  /** Holds the response this long, to play a slow push service. */
  readonly delayMs?: number;
  /** Sent as `Location`, e.g. with a 301 or 307 (a sender must not follow it). */
  readonly location?: string;
  /** A response body (none by default), e.g. a large one a sender must not buffer whole. */
  readonly body?: string | Buffer;
}

/** One request the service received, as a test asserts on it. */
export interface RecordedPush {
  readonly subscription: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly vapid: VapidCheck;
  readonly body: Buffer;
  /** The plaintext: decrypted when `Content-Encoding: aes128gcm`, the body itself otherwise (on first read). */
  readonly payload: Buffer | undefined;
  /** Why the body did not decrypt, when it did not. */
  readonly decryptError?: string;
  readonly status: number;
  readonly receivedAt: number;
}

interface SubscriptionState {
  readonly keys: UserAgentKeys;
  /** The decoded `applicationServerKey` of a restricted subscription. */
  readonly applicationServerKey: Buffer | undefined;
  readonly answers: ScriptedAnswer[];
  readonly pushes: RecordedPush[];
  consumed: number;
  readonly waiters: Array<(push: RecordedPush) => void>;
}

// RFC 8030 §7.2: a push service MUST NOT answer 413 at 4096 octets or less; above, this one does,
// so a sender that breaks RFC 8291's budget finds out in its tests.
const MAX_BODY_BYTES = 4096;
// Read a little past the limit so an oversized body is seen as oversized, then stop holding it.
const READ_LIMIT = MAX_BODY_BYTES + 1;
const DEFAULT_ANSWER: ScriptedAnswer = { status: 201 };

/**
 * A push service on 127.0.0.1 over HTTPS for tests: it hands out subscriptions, checks VAPID (RFC
 * 8292), decrypts RFC 8291 bodies with its own implementation, records every request and answers
 * as scripted (201 by default; 429 with Retry-After, 410, 500, slow ...).
 */
export class FakePushService {
  private readonly subscriptions = new Map<string, SubscriptionState>();
  private readonly names = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private connectionCount = 0;
  private unscripted: ScriptedAnswer = DEFAULT_ANSWER;

  private constructor(
    private readonly server: Server,
    /** `https://127.0.0.1:<port>`, the `aud` a valid VAPID token names. */
    readonly origin: string,
  ) {}

  static async start(options: FakePushServiceOptions): Promise<FakePushService> {
    const server = createServer({ key: options.key, cert: options.cert });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const service = new FakePushService(server, `https://127.0.0.1:${port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      service.handle(req, res);
    });
    server.on('secureConnection', () => {
      service.connectionCount++;
    });
    return service;
  }

  /** TLS connections accepted so far: a sender that keeps connections alive opens few for many pushes. */
  get connections(): number {
    return this.connectionCount;
  }

  /**
   * A fresh subscription under `name` (new P-256 keys and 16-octet auth secret, RFC 8291 §2); restricted
   * to one application server when `options.applicationServerKey` is given (RFC 8292 §4).
   */
  subscription(name: string, options: FakeSubscriptionOptions = {}): FakePushSubscription {
    if (this.subscriptions.has(name)) throw new Error(`subscription ${name} already exists`);
    const applicationServerKey =
      options.applicationServerKey === undefined ? undefined : Buffer.from(options.applicationServerKey, 'base64url');
    if (applicationServerKey !== undefined && (applicationServerKey.length !== 65 || applicationServerKey[0] !== 4)) {
      throw new Error('applicationServerKey must be an uncompressed P-256 public key, base64url');
    }
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const keys: UserAgentKeys = {
      privateKey: ecdh.getPrivateKey(),
      publicKey: ecdh.getPublicKey(),
      authSecret: randomBytes(16),
    };
    // An unguessable path, as real push services use, so one subscription's URL says nothing of another's.
    const path = `/push/${randomUUID()}`;
    this.names.set(path, name);
    this.subscriptions.set(name, { keys, applicationServerKey, answers: [], pushes: [], consumed: 0, waiters: [] });
    return {
      endpoint: `${this.origin}${path}`,
      keys: { p256dh: keys.publicKey.toString('base64url'), auth: keys.authSecret.toString('base64url') },
    };
  }

  /** Queues answers for the next requests to `name`, in order; once used up, see `answerUnscripted` (201). */
  answer(name: string, ...answers: ScriptedAnswer[]): void {
    this.state(name).answers.push(...answers);
  }

  /**
   * How every request with no answer of its own left in `answer`'s queue is answered from now on: e.g.
   * `{ status: 429 }` or `{ status: 503, retryAfter: 5 }` for an outage of the whole service, however many
   * requests come meanwhile; `undefined` ends it (201 again).
   */
  answerUnscripted(answer: ScriptedAnswer | undefined): void {
    this.unscripted = answer ?? DEFAULT_ANSWER;
  }

  /** Every request recorded for `name` so far. */
  pushes(name: string): readonly RecordedPush[] {
    return this.state(name).pushes;
  }

  /** The next request for `name` not yet returned by `nextPush`, waiting for it if need be. */
  nextPush(name: string, timeoutMs = 10_000): Promise<RecordedPush> {
    const state = this.state(name);
    if (state.consumed < state.pushes.length) {
      return Promise.resolve(state.pushes[state.consumed++]);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        state.waiters.splice(state.waiters.indexOf(waiter), 1);
        reject(new Error(`no push for ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.timers.add(timer);
      const waiter = (push: RecordedPush): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(push);
      };
      state.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
    // Slow answers would otherwise hold close() until their delay ends.
    this.server.closeAllConnections();
    await closed;
  }

  private state(name: string): SubscriptionState {
    const state = this.subscriptions.get(name);
    if (state === undefined) throw new Error(`no subscription named ${name}`);
    return state;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const name = this.names.get(new URL(req.url ?? '/', this.origin).pathname);
    if (name === undefined) {
      // RFC 8030 §7.3: a push to an unknown (expired) subscription is a 404.
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      if (length < READ_LIMIT) chunks.push(chunk);
      length += chunk.length;
    });
    req.on('end', () => {
      this.record(name, req, res, Buffer.concat(chunks), length);
    });
  }

  private record(name: string, req: IncomingMessage, res: ServerResponse, body: Buffer, length: number): void {
    const state = this.state(name);
    const receivedAt = Date.now();
    const requestHeaders = req.headers;
    const scripted = state.answers.shift() ?? this.unscripted;
    // Decrypting and checking VAPID cost a P-256 operation each, more than the rest of a request: done when
    // a test first reads `payload`, `decryptError` or `vapid` (as of `receivedAt`), so a load test of a
    // sender is not bounded by them. A restricted subscription's answer depends on VAPID: checked at once.
    let vapid: VapidCheck | undefined;
    const checkVapid = (): VapidCheck => (vapid ??= verifyVapid(requestHeaders.authorization, this.origin, receivedAt));
    let decrypted: { payload: Buffer | undefined; decryptError?: string } | undefined;
    const decrypt = (): { payload: Buffer | undefined; decryptError?: string } =>
      (decrypted ??= this.readPayload(requestHeaders, body, state.keys));
    const status = this.protocolStatus(req, length, state, checkVapid) ?? scripted.status;
    const push = {
      subscription: name,
      method: req.method ?? '',
      headers: requestHeaders,
      body,
      status,
      receivedAt,
    } as RecordedPush;
    Object.defineProperties(push, {
      vapid: { enumerable: true, get: checkVapid },
      payload: { enumerable: true, get: () => decrypt().payload },
      decryptError: { enumerable: true, get: () => decrypt().decryptError },
    });
    state.pushes.push(push);
    const waiter = state.waiters.shift();
    if (waiter !== undefined) {
      state.consumed++;
      waiter(push);
    }
    const headers: Record<string, string> = {};
    if (scripted.retryAfter !== undefined) headers['retry-after'] = String(scripted.retryAfter);
    if (scripted.location !== undefined) headers.location = scripted.location;
    // RFC 8030 §5: a created push message is named by a Location.
    else if (status === 201) headers.location = `${this.origin}/message/${randomUUID()}`;
    const send = (): void => {
      if (!res.destroyed) res.writeHead(status, headers).end(scripted.body);
    };
    if (scripted.delayMs === undefined) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, scripted.delayMs);
    this.timers.add(timer);
  }

  // Requests RFC 8030 and RFC 8292 oblige a push service to refuse, whatever the script says.
  private protocolStatus(
    req: IncomingMessage,
    length: number,
    state: SubscriptionState,
    vapid: () => VapidCheck,
  ): number | undefined {
    if (req.method !== 'POST') return 405;
    // RFC 8292 §4.2: a restricted subscription takes only pushes with a valid token signed by its key.
    const restricted = state.applicationServerKey;
    if (restricted !== undefined) {
      const check = vapid();
      if (!(check.valid && Buffer.from(check.publicKey, 'base64url').equals(restricted))) return 403;
    }
    if (length > MAX_BODY_BYTES) return 413;
    // RFC 8030 §5.2: "A push service MUST return a 400 (Bad Request) ... [for] requests that omit the TTL".
    if (req.headers.ttl === undefined) return 400;
    return undefined;
  }

  private readPayload(
    headers: IncomingHttpHeaders,
    body: Buffer,
    keys: UserAgentKeys,
  ): { payload: Buffer | undefined; decryptError?: string } {
    const encoding = headers['content-encoding']?.trim().toLowerCase();
    if (encoding === undefined || encoding === '' || encoding === 'identity') return { payload: body };
    if (encoding !== 'aes128gcm')
      return { payload: undefined, decryptError: `unsupported Content-Encoding ${encoding}` };
    try {
      return { payload: decryptAes128gcm(body, keys) };
    } catch (error) {
      return { payload: undefined, decryptError: error instanceof Error ? error.message : String(error) };
    }
  }
}

import { Agent, type Dispatcher } from 'undici';
import { encrypt } from 'web-push';
import { JmapPushError } from '../errors/jmap-push.error';
import { mayConnect } from './address-policy';
import { guardedConnector, systemResolver, type ConnectPermit } from './guarded-lookup';
import { PushAddressRefusedError } from './push-address-refused.error';
import { PushDeadline } from './push-deadline';
import type { PushOutcome } from './push-outcome';
import { MAX_PUSH_PAYLOAD_OCTETS } from './push-payload';
import type { PushKeys } from './push-subscription';
import { isValidTopic } from './push-topic';
import { parseRetryAfter } from './retry-after';
import { VapidHeaderCache } from './vapid-header-cache';
import type { PushUrgency } from './web-push-options.interface';
import type { WebPushSettings } from './web-push-settings';

/** Where one push goes: a subscription's `url` and `keys` (RFC 8620 section 7.2). */
export interface PushTarget {
  readonly url: string;
  readonly keys: PushKeys | null;
}

/** The RFC 8030 section 5 headers the caller chooses per push. */
export interface PushHeaders {
  readonly urgency: PushUrgency;
  /**
   * The subscription's fixed `Topic` (see `topicFor`): at most 32 base64url characters. Leave it out when
   * one change goes out as several bodies (`splitStateChange`), or the push service would keep the last.
   */
  readonly topic?: string;
}

// A push service's answer carries nothing the sender reads; a little of it is read so a short body
// leaves the connection reusable, and a longer one closes the connection instead of being held.
const RESPONSE_BODY_LIMIT = 8 * 1024;
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEOUT',
  'ETIMEDOUT',
]);

/**
 * Sends one push (RFC 8030 section 5) and says how it ended: one HTTPS POST through a keep-alive pool,
 * the body encrypted per RFC 8291 when the subscription has keys, signed with VAPID (RFC 8292), every
 * connection's addresses checked by the SSRF guard as the socket connects. Redirects are not followed.
 * It never logs: push URLs and keys are the device's secrets (RFC 8620 section 7.2), so nothing it
 * returns names them either.
 */
export class PushSender {
  private readonly agent: Agent;
  private readonly vapid: VapidHeaderCache;
  private closed: Promise<void> | undefined;

  constructor(private readonly settings: WebPushSettings) {
    const permits: ConnectPermit = (host, address) => mayConnect(host, address, settings.allowHosts);
    const ca = settings.ca;
    const connect = guardedConnector(
      {
        timeout: settings.requestTimeoutMs,
        ...(ca === undefined ? {} : { ca: typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca] }),
      },
      settings.resolver ?? systemResolver,
      permits,
      settings.requestTimeoutMs,
    );
    this.agent = new Agent({
      connect,
      headersTimeout: settings.requestTimeoutMs,
      bodyTimeout: settings.requestTimeoutMs,
      // Per push service origin; the delivery worker bounds pushes in flight overall to the same number.
      connections: settings.maxConcurrentPushes,
    });
    this.vapid = new VapidHeaderCache(settings.vapid);
  }

  /**
   * POSTs `body` as UTF-8 JSON to `target`. Rejects (a `JmapPushError`) only for a caller's mistake: a
   * body over 3993 octets (RFC 8291 section 4; see `splitStateChange`) or an invalid `topic`. Everything
   * the push service or the network does resolves as a `PushOutcome`.
   */
  async send(target: PushTarget, body: object, headers: PushHeaders): Promise<PushOutcome> {
    if (headers.topic !== undefined && !isValidTopic(headers.topic)) {
      throw new JmapPushError('PushSender: a Topic must be 1 to 32 base64url characters (RFC 8030 section 5.4)');
    }
    const plaintext = Buffer.from(JSON.stringify(body), 'utf8');
    if (plaintext.length > MAX_PUSH_PAYLOAD_OCTETS) {
      throw new JmapPushError(
        `PushSender: a push body of ${plaintext.length} octets is over ${MAX_PUSH_PAYLOAD_OCTETS} (RFC 8291 section 4)`,
      );
    }
    const url = pushUrl(target.url);
    if (url === undefined) return { kind: 'refused', reason: 'the push URL is not an https URL without credentials' };
    const payload = target.keys === null ? plaintext : encrypted(target.keys, plaintext);
    if (payload === undefined) return { kind: 'refused', reason: 'the subscription keys cannot encrypt' };

    const requestHeaders: Record<string, string> = {
      // RFC 8030 section 5.2: "An application server MUST include the TTL (Time-To-Live) header field".
      ttl: String(this.settings.ttlSeconds),
      urgency: headers.urgency,
      'content-type': target.keys === null ? 'application/json' : this.settings.encryptedContentType,
      authorization: this.vapid.authorization(url.origin),
    };
    // RFC 8291 section 4: "the Content-Encoding header field therefore has exactly one value, which is aes128gcm".
    if (target.keys !== null) requestHeaders['content-encoding'] = 'aes128gcm';
    if (headers.topic !== undefined) requestHeaders.topic = headers.topic;

    // One deadline for the whole request, resolving, connecting and a queue for a free connection included;
    // undici's connect, headers and body timeouts bound each step on its own.
    const deadline = new PushDeadline(this.settings.requestTimeoutMs);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: requestHeaders,
        body: payload,
        signal: deadline,
      });
      // The deadline ends the body too: undici destroys a response body when its request's signal aborts.
      await discard(response.body);
    } catch (error) {
      return failure(error);
    } finally {
      deadline.clear();
    }
    return outcomeOf(response.statusCode, response.headers['retry-after']);
  }

  /**
   * Closes the pool once the pushes in flight have ended (each is bounded by `requestTimeoutMs`); a push
   * sent after it resolves as a `retry`. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closed ??= this.agent.close();
    return this.closed;
  }
}

/** The URL when it is one a push may go to: https (RFC 8620 section 7.2 "MUST begin with https://"), no userinfo. */
function pushUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url;
}

/** The RFC 8291 body: the RFC 8188 header (salt, record size, our ephemeral key) and one record, raw octets. */
function encrypted(keys: PushKeys, plaintext: Buffer): Buffer | undefined {
  try {
    return encrypt(keys.p256dh, keys.auth, plaintext, 'aes128gcm').cipherText;
  } catch {
    // Keys that are not a P-256 point and a 16-octet secret: no push to this subscription can ever be read.
    return undefined;
  }
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: RESPONSE_BODY_LIMIT });
  } catch {
    // The status is what counts; a body cut short by the deadline only costs the connection.
  }
}

/** RFC 8030 and RFC 8620 section 7.2: what a push service's status means for the push. */
function outcomeOf(status: number, retryAfter: string | string[] | undefined): PushOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  // RFC 8030 section 7.3: 404 for an expired subscription; push services answer 410 for an unsubscribed one.
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return {
      kind: 'retry',
      status,
      reason: `status ${status}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  return { kind: 'rejected', status };
}

/** A request that got no answer: refused by the SSRF guard, timed out, or failed on the network. */
function failure(error: unknown): PushOutcome {
  const refusal = refusalIn(error);
  if (refusal !== undefined) return { kind: 'refused', reason: refusal.message };
  const { code, name } = fieldsOf(error);
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return { kind: 'retry', reason: 'timeout' };
  }
  // Only the code: a message may name the host, and push URLs are not logged.
  return { kind: 'retry', reason: `network error ${code ?? name ?? 'unknown'}` };
}

function refusalIn(error: unknown): PushAddressRefusedError | undefined {
  let current = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof PushAddressRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

// Node's and undici's errors are read by their fields, not `instanceof Error`: a DOMException, or an
// error from another realm (a test runner's sandbox), is an Error without being one of ours.
function fieldsOf(error: unknown): { code?: string; name?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, name } = error as { code?: unknown; name?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
  };
}

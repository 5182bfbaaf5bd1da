// Issue 6, point 3: churn without leaks. 20,000 connect/disconnect cycles in all (10,000 per transport),
// graceful and abrupt: sockets destroyed before the response, right after the head, in the middle of a
// live frame and in the middle of a `Last-Event-ID` replay (synchronous and asynchronous), streams ended by
// the server (`closeafter=state`) and refused requests. Afterwards the server holds no stream, slot,
// ping, stall entry, bus listener beyond its own, index entry or response listener, and its heap is back
// within a small bound of where it started (measured after `global.gc()`; run Jest under `--expose-gc`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { InMemoryPushBus, PushBus, type ChangeListener, type MergedChanges } from 'jmap-push';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { startPushApp, type PushApp, type TestUser } from '../support/push-app';
import { basicAuth } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { NOTHING_HELD, serverHolds, waitForIdle } from '../support/server-holds';
import { within } from '../support/wait';
import { rawCycle } from '../support/raw-cycle';

/** 10,000 per transport, 20,000 in all; `CHURN_CYCLES` scales it down for a quick local run. */
const CYCLES_PER_TRANSPORT = Number(process.env.CHURN_CYCLES ?? 10_000);
const CONCURRENCY = 40;
const WARMUP = Math.min(1_000, CYCLES_PER_TRANSPORT / 10);
/** Heap growth allowed over 10,000 cycles: a leak of one stream (~10 KB with its response) per cycle is 100 MB. */
const HEAP_BOUND_BYTES = 8 * 1024 * 1024;
const PATH = '/jmap/eventsource';
const REPLAY_ACCOUNTS = Array.from({ length: 24 }, (_, i) => `acc-${i}`);
const USERS: Record<string, TestUser> = {
  replayer: { password: 'pw', accountIds: REPLAY_ACCOUNTS },
  live: { password: 'pw', accountIds: ['acc-live'] },
  plain: { password: 'pw', accountIds: ['acc-plain'] },
};
const gc = (globalThis as { gc?: () => void }).gc;

/** The in-memory bus, answering replays a turn later every other time: both replay paths get churned. */
class HalfAsyncBus implements PushBus {
  private readonly inner: InMemoryPushBus;
  private flip = false;

  constructor(options: { historySize: number }) {
    this.inner = new InMemoryPushBus(options);
  }

  publish(accountId: string, changed: Record<string, string>): Promise<string> {
    return this.inner.publish(accountId, changed);
  }

  listen(listener: ChangeListener): () => void {
    return this.inner.listen(listener);
  }

  /** The inner bus's listeners, for the leak check. */
  get listeners(): Set<unknown> {
    return (this.inner as unknown as { listeners: Set<unknown> }).listeners;
  }

  currentId(): string {
    return this.inner.currentId();
  }

  changesSince(
    lastEventId: string,
    accountIds: readonly string[],
  ): MergedChanges | undefined | Promise<MergedChanges | undefined> {
    this.flip = !this.flip;
    if (!this.flip) return this.inner.changesSince(lastEventId, accountIds);
    return new Promise((resolve) =>
      setImmediate(() => {
        resolve(this.inner.changesSince(lastEventId, accountIds));
      }),
    );
  }

  latestStates(accountIds: readonly string[]): MergedChanges {
    return this.inner.latestStates(accountIds);
  }
}

/** A deterministic generator (mulberry32), so a failing run can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind =
  'clean' | 'destroy-before-response' | 'destroy-after-head' | 'mid-replay' | 'mid-frame' | 'closeafter' | 'refused';
const KINDS: Array<[Kind, number]> = [
  ['clean', 22],
  ['destroy-before-response', 14],
  ['destroy-after-head', 14],
  ['mid-replay', 18],
  ['mid-frame', 8],
  ['closeafter', 12],
  ['refused', 12],
];

function pickKind(random: () => number): Kind {
  let roll = random() * KINDS.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [kind, weight] of KINDS) if ((roll -= weight) < 0) return kind;
  return 'clean';
}

const request = (user: string, query: string, extra = '') =>
  `GET ${PATH}?${query} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth(user, 'pw')}\r\n${extra}\r\n`;

describe.each(TRANSPORTS)('churn (%s transport)', (transport) => {
  let push: PushApp;
  let port: number;
  let oldId: string;
  const responseLeaks: string[] = [];
  let responsesSeen = 0;
  const stats = new Map<string, number>();
  const count = (what: string) => stats.set(what, (stats.get(what) ?? 0) + 1);

  beforeAll(async () => {
    // A short history, filled during the warm-up: the history ring's retained changes are not a leak.
    push = await startPushApp({
      transport,
      users: USERS,
      bus: new HalfAsyncBus({ historySize: 32 }),
      maxStreamsPerPrincipal: 10_000,
    });
    port = Number(new URL(push.baseUrl).port);
    // Every finished response must let go of every listener the library put on it.
    push.app.getHttpServer().on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.once('close', () =>
        setImmediate(() => {
          responsesSeen++;
          const drain = res.listenerCount('drain');
          const close = res.listenerCount('close');
          if ((drain > 0 || close > 0) && responseLeaks.length < 5) {
            responseLeaks.push(`${drain} drain and ${close} close listener(s) left on a closed response`);
          }
        }),
      );
    });
    oldId = await push.stateChanges.publish('acc-0', { Email: 'first' });
    await push.stateChanges.publish('acc-plain', { Email: 'plain-1' });
    // A replay of all these is one frame of ~150 KB: big enough to be cut in the middle.
    for (const accountId of REPLAY_ACCOUNTS) {
      await push.stateChanges.publish(accountId, { Email: `e-${'x'.repeat(3000)}`, Mailbox: `m-${'y'.repeat(3000)}` });
    }
  });

  afterAll(() => push.close());

  /** One connect/disconnect cycle; resolves once the client side is done with its socket. */
  function cycle(kind: Kind, random: () => number): Promise<void> {
    return rawCycle(port, kind, (socket, finish) => {
      let received = Buffer.alloc(0);
      let headEnd = -1;
      const body = () => received.subarray(headEnd + 4).toString('latin1');

      switch (kind) {
        case 'clean':
          socket.write(request('plain', `types=*&closeafter=no&ping=${random() < 0.5 ? 1 : 30}`));
          socket.on('data', (chunk: Buffer) => {
            received = Buffer.concat([received, chunk]);
            headEnd = received.indexOf('\r\n\r\n');
            if (headEnd >= 0 && /id: \d+-\d+\n/.test(body())) {
              // A polite goodbye: FIN, then the socket goes.
              socket.end();
            }
          });
          break;
        case 'destroy-before-response':
          socket.write(request('plain', 'types=*&closeafter=no&ping=1'), () => {
            // Sometimes before the server read it, sometimes while it authenticates.
            if (random() < 0.5) finish();
            else
              setImmediate(() => {
                finish();
              });
          });
          break;
        case 'destroy-after-head':
          socket.write(request('plain', 'types=Email&closeafter=no&ping=30'));
          socket.on('data', (chunk: Buffer) => {
            received = Buffer.concat([received, chunk]);
            if (received.includes('\r\n\r\n')) finish();
          });
          break;
        case 'mid-replay': {
          // Destroyed before any byte of the replay (often while an asynchronous replay is read) or after
          // the first chunk of the replayed frame.
          const early = random() < 0.4;
          socket.write(request('replayer', 'types=*&closeafter=no&ping=1', `Last-Event-ID: ${oldId}\r\n`));
          if (early)
            setImmediate(() => {
              finish();
            });
          socket.on('data', (chunk: Buffer) => {
            received = Buffer.concat([received, chunk]);
            headEnd = received.indexOf('\r\n\r\n');
            if (headEnd < 0) return;
            const text = body();
            if (text.includes('event: state')) {
              if (!/event: state[\s\S]*\n\n/.test(text.replace(/\r\n[0-9a-f]+\r\n/g, '')))
                count('cut mid-replay-frame');
              finish();
            }
          });
          break;
        }
        case 'mid-frame':
          socket.write(request('live', 'types=*&closeafter=no&ping=0'));
          socket.on('data', (chunk: Buffer) => {
            const first = headEnd < 0;
            received = Buffer.concat([received, chunk]);
            headEnd = received.indexOf('\r\n\r\n');
            if (headEnd < 0) return;
            const text = body();
            if (text.includes('event: state')) {
              if (!/"\}\}\}\n\n/.test(text)) count('cut mid-live-frame');
              finish();
            } else if (first && /id: \d+-\d+\n/.test(text)) {
              void push.stateChanges.publish('acc-live', { Email: `${random()}-${'z'.repeat(96 * 1024)}` });
            }
          });
          break;
        case 'closeafter':
          // The server ends the response after the replayed state event; read to the end.
          socket.write(request('plain', 'types=*&closeafter=state&ping=0', 'Last-Event-ID: 1-1\r\n'));
          socket.on('data', (chunk: Buffer) => {
            received = Buffer.concat([received, chunk]);
            // The last chunk of a chunked body: the server ended the response (the socket stays keep-alive).
            if (received.includes('\r\n0\r\n\r\n')) {
              count('ended by the server');
              finish();
            }
          });
          break;
        case 'refused': {
          const bad =
            random() < 0.5
              ? request('plain', 'types=Nope&closeafter=no&ping=0')
              : request('nobody', 'types=*&closeafter=no&ping=0');
          socket.write(bad.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
          socket.on('data', () => undefined);
          socket.on('end', () => {
            finish();
          });
          break;
        }
      }
      return () => received;
    });
  }

  async function churn(cycles: number, seed: number): Promise<void> {
    const random = prng(seed);
    let started = 0;
    const worker = async () => {
      while (started < cycles) {
        started++;
        const kind = pickKind(random);
        count(kind);
        await cycle(kind, random);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  async function heapAfterGc(): Promise<number> {
    for (let i = 0; i < 4; i++) {
      gc!();
      await new Promise((wake) => setImmediate(wake));
    }
    return process.memoryUsage().heapUsed;
  }

  it(`survives ${CYCLES_PER_TRANSPORT} connect/disconnect cycles and then holds nothing`, async () => {
    await churn(WARMUP, 1);
    await waitForIdle(push, 10_000);
    const heapBefore = gc ? await heapAfterGc() : 0;

    const startedAt = Date.now();
    await churn(CYCLES_PER_TRANSPORT - WARMUP, 2);
    await waitForIdle(push, 10_000);
    const elapsed = Date.now() - startedAt;

    // Nothing held for streams: registry, metrics, admission slots, ping wheel, stall watch.
    expect(serverHolds(push)).toEqual(NOTHING_HELD);
    // Nor in the registry's indexes, nor on the bus: its one listener is the registry's own.
    const { index } = push.app.get(SubscriptionRegistry);
    expect({
      byAccount: index.byAccount.size,
      byPrincipal: index.byPrincipal.size,
      slots: index.all.size,
    }).toEqual({
      byAccount: 0,
      byPrincipal: 0,
      slots: 0,
    });
    expect(push.app.get<PushBus, { listeners: Set<unknown> }>(PushBus).listeners.size).toBe(1);
    // No closed response kept a drain or close listener.
    await new Promise((wake) => setImmediate(wake));
    expect(responseLeaks).toEqual([]);
    expect(responsesSeen).toBeGreaterThan(CYCLES_PER_TRANSPORT / 2);

    // Every kind of cycle ran, and the cuts really fell inside frames.
    for (const [kind] of KINDS) expect(stats.get(kind)).toBeGreaterThan(CYCLES_PER_TRANSPORT / 50);
    expect(stats.get('cut mid-replay-frame') ?? 0).toBeGreaterThan(0);
    expect(stats.get('ended by the server') ?? 0).toBeGreaterThan(0);
    expect(push.metrics.snapshot().streamsOpened).toBeGreaterThan(CYCLES_PER_TRANSPORT / 3);

    // The server still serves.
    await new Promise<void>((resolve, reject) => {
      cycle('clean', Math.random).then(resolve, reject);
    });
    await waitForIdle(push);

    if (!gc) {
      console.warn(
        'churn: global.gc is missing, heap bound NOT checked; run Jest with `node --expose-gc node_modules/jest/bin/jest.js`',
      );
      return;
    }
    const heapAfter = await heapAfterGc();
    const growth = heapAfter - heapBefore;
    console.log(
      `churn (${transport}): ${CYCLES_PER_TRANSPORT} cycles, ${elapsed} ms after warm-up; heap ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MiB; ${JSON.stringify(Object.fromEntries(stats))}`,
    );
    expect(growth).toBeLessThan(HEAP_BOUND_BYTES);
  }, 170_000);

  it('closes the connection after a closeafter=state response when the client sent Connection: close', async () => {
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<string>((resolve) => {
      socket.on('end', () => {
        resolve('closed');
      });
      socket.on('close', () => {
        resolve('closed');
      });
      socket.on('error', () => {
        resolve('closed');
      });
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.write(request('plain', 'types=*&closeafter=state&ping=0', 'Last-Event-ID: 1-1\r\nConnection: close\r\n'));
    try {
      await within(closed, 1500, 'the server closed the connection');
    } finally {
      socket.destroy();
    }
    expect(text).toContain('event: state');
  });
});

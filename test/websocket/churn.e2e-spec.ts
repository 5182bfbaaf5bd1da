// Issue 13, "The endpoint" 5: 20,000 abrupt connect/close cycles of JMAP WebSockets on raw sockets (destroyed
// mid-handshake, right after the 101, with push just enabled, in the middle of a replayed StateChange,
// with a Request in flight, after a clean close, and refused handshakes) leave nothing behind.
import { PushBus } from 'jmap-push';
import { SubscriptionRegistry } from 'jmap-push/subscription/subscription-registry';
import { type TestUser } from '../support/push-app';
import { basicAuth } from '../support/sse-client';
import { rawCycle } from '../support/raw-cycle';
import { startWsApp, NOTHING_HELD_FOR_SOCKETS, wsHoldings, wsSettled, type WsApp } from './support/ws-app';

/** 20,000 by default; `WS_CHURN_CYCLES` scales it down for a quick local run. */
const CYCLES = Number(process.env.WS_CHURN_CYCLES ?? 20_000);
const CONCURRENCY = 64;
const REPLAY_ACCOUNTS = Array.from({ length: 24 }, (_, i) => `acc-${i}`);
const USERS: Record<string, TestUser> = {
  replayer: { password: 'pw', accountIds: REPLAY_ACCOUNTS },
  plain: { password: 'pw', accountIds: ['acc-plain'] },
};

type Kind = 'before-answer' | 'after-101' | 'after-enable' | 'mid-replay' | 'request-in-flight' | 'clean' | 'refused';
const KINDS: Kind[] = [
  'before-answer',
  'after-101',
  'after-enable',
  'mid-replay',
  'request-in-flight',
  'clean',
  'refused',
];

/** A client frame (RFC 6455 section 5.2): masked, here with the zero mask so the payload goes as is. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length =
    payload.length < 126 ? [0x80 | payload.length] : [0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return Buffer.concat([Buffer.from([0x80 | opcode, ...length, 0, 0, 0, 0]), payload]);
}
const text = (message: unknown) => clientFrame(0x1, Buffer.from(JSON.stringify(message)));

function handshake(user: string, protocol = 'jmap'): string {
  return (
    'GET /jmap/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocol}\r\n` +
    `Authorization: ${basicAuth(user, 'pw')}\r\n\r\n`
  );
}

describe('JMAP WebSocket churn', () => {
  let push: WsApp;
  let oldId: string;
  const stats = new Map<string, number>();
  const count = (what: string) => stats.set(what, (stats.get(what) ?? 0) + 1);

  beforeAll(async () => {
    push = await startWsApp({ users: USERS, maxStreamsPerPrincipal: 10_000 });
    oldId = await push.stateChanges.publish('acc-0', { Email: 'first' });
    // A replay of all these is one frame of ~150 KB: big enough to be cut in the middle.
    for (const accountId of REPLAY_ACCOUNTS) {
      await push.stateChanges.publish(accountId, { Email: `e-${'x'.repeat(3000)}`, Mailbox: `m-${'y'.repeat(3000)}` });
    }
  });
  afterAll(() => push.close());

  function cycle(kind: Kind, turn: number): Promise<void> {
    return rawCycle(push.port, kind, (socket, finish) => {
      let received = Buffer.alloc(0);
      let upgraded = false;
      /** Called once with the 101 (and again with every chunk after it). */
      let afterUpgrade: (() => void) | undefined;
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (upgraded) {
          afterUpgrade?.();
          return;
        }
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = received.subarray(9, 12).toString('latin1');
        if (kind === 'refused') {
          count(`refused ${status}`);
          return; // read to the end: the server closes after its answer
        }
        if (status !== '101') {
          finish(new Error(`${kind}: expected 101, got ${received.toString('latin1').slice(0, 200)}`));
          return;
        }
        upgraded = true;
        received = received.subarray(end + 4);
        afterUpgrade?.();
      });

      switch (kind) {
        case 'before-answer':
          socket.write(handshake('plain'), () => {
            // Sometimes before the server read it, sometimes while it authenticates.
            if (turn % 2) finish();
            else setImmediate(finish);
          });
          break;
        case 'after-101':
          socket.write(handshake('plain'));
          afterUpgrade = () => {
            finish();
          };
          break;
        case 'after-enable':
          socket.write(handshake('plain'));
          afterUpgrade = () => {
            socket.write(text({ '@type': 'WebSocketPushEnable', dataTypes: turn % 3 ? null : ['Email'] }), () => {
              finish();
            });
          };
          break;
        case 'mid-replay':
          socket.write(handshake('replayer'));
          afterUpgrade = () => {
            if (received.length === 0) {
              socket.write(text({ '@type': 'WebSocketPushEnable', dataTypes: null, pushState: oldId }));
              return;
            }
            // The first bytes of the replayed StateChange (~150 KB) are here, the rest is not read.
            if (received.length < 150_000) count('cut mid-replay');
            finish();
          };
          break;
        case 'request-in-flight':
          socket.write(handshake('plain'));
          afterUpgrade = () => {
            socket.write(
              text({ '@type': 'Request', id: 'r', using: [], methodCalls: [['Core/echo', {}, 'c']] }),
              () => {
                finish();
              },
            );
          };
          break;
        case 'clean':
          socket.write(handshake('plain'));
          afterUpgrade = () => {
            if (received.length === 0) {
              socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8]))); // close, 1000
              return;
            }
            // The server's close frame (opcode 8) answers ours; then it ends the connection.
            if ((received[0] & 0x0f) === 0x8) count('closed cleanly');
          };
          break;
        case 'refused':
          socket.write(turn % 2 ? handshake('nobody') : handshake('plain', 'chat'));
          break;
      }
      return () => received;
    });
  }

  async function churn(cycles: number): Promise<void> {
    let started = 0;
    const worker = async () => {
      while (started < cycles) {
        const turn = started++;
        const kind = KINDS[turn % KINDS.length];
        count(kind);
        await cycle(kind, Math.floor(turn / KINDS.length));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  it(`survives ${CYCLES} abrupt connect/close cycles and then holds nothing`, async () => {
    const startedAt = Date.now();
    await churn(CYCLES);
    await wsSettled(push, 10_000);
    const elapsed = Date.now() - startedAt;
    console.log(`websocket churn: ${CYCLES} cycles in ${elapsed} ms; ${JSON.stringify(Object.fromEntries(stats))}`);

    expect(wsHoldings(push)).toEqual(NOTHING_HELD_FOR_SOCKETS);
    const { index } = push.app.get(SubscriptionRegistry);
    expect({ byAccount: index.byAccount.size, byPrincipal: index.byPrincipal.size, slots: index.all.size }).toEqual({
      byAccount: 0,
      byPrincipal: 0,
      slots: 0,
    });
    // The bus's one listener is the registry's own.
    expect(push.app.get<PushBus, { listeners: Set<unknown> }>(PushBus).listeners.size).toBe(1);
    const upgradedKinds = CYCLES - (stats.get('refused') ?? 0) - (stats.get('before-answer') ?? 0);
    expect(push.metrics.snapshot().webSocketsOpened).toBeGreaterThanOrEqual(upgradedKinds);
    expect(stats.get('cut mid-replay') ?? 0).toBeGreaterThan(0);
    expect(stats.get('closed cleanly') ?? 0).toBeGreaterThan(0);
    expect((stats.get('refused 401') ?? 0) + (stats.get('refused 400') ?? 0)).toBe(stats.get('refused'));
    expect(elapsed).toBeLessThan(60_000);

    // The server still serves.
    await cycle('clean', 0);
    await wsSettled(push);
  }, 120_000);
});

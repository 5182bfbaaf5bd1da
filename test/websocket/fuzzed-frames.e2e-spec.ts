// Issue 13, "Tests": fuzzed text messages (fast-check) on a JMAP WebSocket are answered with RequestErrors
// of status 400 (RFC 8887 section 4.3.4) or, when they happen to be valid, Responses and StateChanges;
// never a 5xx, a close or a crash, and the socket stays usable afterwards.
import fc from 'fast-check';
import { enablePush, openJmapSocket, type JmapSocket } from '../support/ws-client';
import { request, startWsApp, wsSettled, type WsApp } from './support/ws-app';

const RUNS = Number(process.env.WS_FUZZ_RUNS ?? 1500);
/**
 * Over it a message gets a RequestError limit; over twice it `ws` closes the socket with 1009 (RFC 6455
 * section 7.4.1) rather than buffer it (requests.e2e-spec shows both). Fuzzed messages stay under twice it.
 */
const MAX_MESSAGE = 64 * 1024;

const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
/** Near misses of each client message: the right @type with arbitrary or slightly wrong members. */
const nearMiss = fc.record(
  {
    '@type': fc.oneof(
      fc.constantFrom('Request', 'WebSocketPushEnable', 'WebSocketPushDisable', 'Response', 'request', ''),
      fc.string(),
    ),
    id: fc.oneof(fc.string(), anything),
    using: fc.oneof(fc.array(fc.string()), anything),
    methodCalls: fc.oneof(
      fc.array(fc.tuple(fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), fc.string())),
      fc.array(fc.array(anything, { maxLength: 4 })),
      anything,
    ),
    createdIds: fc.oneof(fc.dictionary(fc.string(), fc.string()), anything),
    dataTypes: fc.oneof(fc.constant(null), fc.array(fc.constantFrom('Email', 'Mailbox', 'Nope', '')), anything),
    pushState: fc.oneof(fc.string(), fc.constant('1-1'), anything),
  },
  { requiredKeys: ['@type'] },
);
/** Requests that are valid (any names, ids and arguments), so Responses are among the answers every run. */
const validRequest = fc.record({
  '@type': fc.constant('Request'),
  id: fc.string(),
  using: fc.array(fc.string()),
  methodCalls: fc.array(fc.tuple(fc.string(), fc.dictionary(fc.string(), fc.integer()), fc.string()), { maxLength: 3 }),
});
/** Broken JSON: a valid message cut short, or with bytes spliced in. */
const broken = fc.tuple(nearMiss, fc.nat(), fc.string({ maxLength: 3 })).map(([message, at, junk]) => {
  const json = JSON.stringify(message);
  const cut = at % (json.length + 1);
  return json.slice(0, cut) + junk + json.slice(cut + (at % 2));
});
const message = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.json().map((json) => json),
    nearMiss.map((value) => JSON.stringify(value)),
    validRequest.map((value) => JSON.stringify(value)),
    broken,
    fc.constant(`"${'x'.repeat(MAX_MESSAGE)}"`),
  )
  .filter((text) => Buffer.byteLength(text) < 2 * MAX_MESSAGE);

describe('fuzzed messages on a JMAP WebSocket', () => {
  let push: WsApp;
  let socket: JmapSocket;
  let probes = 0;
  beforeAll(async () => {
    push = await startWsApp({}, { maxMessageBytes: MAX_MESSAGE, maxConcurrentRequests: 64 });
    socket = await openJmapSocket(push.wsUrl, { user: 'bob@example.com' });
  });
  afterAll(async () => {
    await push.close();
  });

  it(`answers ${RUNS} fuzzed messages with RequestErrors, Responses or StateChanges, never a 5xx or a close`, async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        socket.send(text);
        // The probe's Response comes after every answer to `text` (the probe was read after it).
        const probe = `probe-${probes++}-\u2603`;
        socket.send(request(probe));
        for (;;) {
          const answer = await socket.next();
          if (answer['@type'] === 'Response' && answer.requestId === probe) break;
          const kind = String(answer['@type']);
          const key = kind === 'RequestError' ? String(answer.type) : kind;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          if (kind === 'RequestError') {
            expect(answer.status).toBe(400);
            expect(typeof answer.type).toBe('string');
            expect(typeof answer.detail).toBe('string');
          } else {
            expect(['Response', 'StateChange']).toContain(kind);
          }
        }
        expect(socket.ws.readyState).toBe(socket.ws.OPEN);
      }),
      { numRuns: RUNS },
    );
    // The generators reach every kind of answer, or the property proves little.
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        'urn:ietf:params:jmap:error:notJSON',
        'urn:ietf:params:jmap:error:notRequest',
        'urn:ietf:params:jmap:error:limit',
        'Response',
      ]),
    );
    // Still usable, and push still works after whatever the fuzzer enabled or disabled.
    await enablePush(socket, { dataTypes: null });
    const id = await push.stateChanges.publish('acc-bob', { Email: 'after-fuzz' });
    for (;;) {
      const answer = await socket.next();
      if (answer['@type'] === 'StateChange' && answer.pushState === id) break;
    }
    socket.close();
    expect(await socket.closed).toBe(1005);
    await wsSettled(push);
    expect(push.metrics.snapshot().webSocketsOpened).toBe(1);
  }, 120_000);
});

// Issue 2, point 12 (observability): open streams, state events, pings, replays, merges and rejections,
// readable from the injectable PushMetrics. Merges are counted in slow-clients.e2e-spec.ts.
import { PushMetrics } from 'jmap-push';
import { AUTH, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';
import { waitUntil } from '../support/wait';

/** The Web Push counters, untouched here (they are checked in test/web-push/). */
const NO_WEB_PUSH = {
  pushSubscriptionsCreated: 0,
  pushSubscriptionsDestroyed: { client: 0, gone: 0, revoked: 0, expired: 0, refused: 0, keyRotated: 0 },
  pushVerificationsSent: 0,
  pushesSent: 0,
  pushesMerged: 0,
  pushesRetried: 0,
  pushesRejected: 0,
  pushesRefusedBySsrf: 0,
};

describe.each(TRANSPORTS)('PushMetrics (%s transport)', (transport) => {
  const fx = usePushApp(transport, { maxStreamsPerPrincipal: 2 }, 'each');

  it('starts at zero', () => {
    expect(fx.push.app.get(PushMetrics).snapshot()).toEqual({
      openStreams: 0,
      webSockets: 0,
      webSocketsOpened: 0,
      webSocketRequests: 0,
      webSocketRequestErrors: 0,
      streamsOpened: 0,
      stateEvents: 0,
      pings: 0,
      replays: 0,
      merges: 0,
      published: 0,
      rejections: {
        unauthorized: 0,
        badRequest: 0,
        tooManyStreams: 0,
        forbidden: 0,
        unavailable: 0,
      },
      ...NO_WEB_PUSH,
    });
  });

  it('counts streams, state events, pings, replays, publications and rejections', async () => {
    const metrics = fx.push.metrics;
    const a = await fx.connect('bob', 'types=*&closeafter=no&ping=1');
    const b = await fx.connect('alice', 'types=Email&closeafter=no&ping=0');
    await fx.push.stateChanges.publish('acc-alice', { Email: 'e1' }); // to both
    await fx.push.stateChanges.publish('acc-bob', { Mailbox: 'm1' }); // to bob only
    await fx.push.stateChanges.publish('acc-carol', { Email: 'c1' }); // to no one
    await a.stream.next();
    await a.stream.next();
    await b.stream.next();
    await a.stream.nextEvent('ping', 3000);
    const replay = await fx.connect('alice', 'types=*&closeafter=no&ping=0', {
      'Last-Event-ID': b.hello.id as string,
    });
    expect(replay.hello.event).toBe('state');

    await (
      await fx.open('types=*&closeafter=no&ping=0', {})
    ).body;
    await (
      await fx.open('types=nope&closeafter=no&ping=0', AUTH.bob)
    ).body;
    await (
      await fx.open('types=*&closeafter=no&ping=0', AUTH.alice)
    ).body; // alice's third: 429

    expect(metrics.snapshot()).toEqual({
      openStreams: 3,
      webSockets: 0,
      webSocketsOpened: 0,
      webSocketRequests: 0,
      webSocketRequestErrors: 0,
      streamsOpened: 3,
      stateEvents: 4,
      pings: 1,
      replays: 1,
      merges: 0,
      published: 3,
      rejections: {
        unauthorized: 1,
        badRequest: 1,
        tooManyStreams: 1,
        forbidden: 0,
        unavailable: 0,
      },
      ...NO_WEB_PUSH,
    });

    a.stream.close();
    await waitUntil(() => metrics.snapshot().openStreams === 2, 'openStreams drops');
    expect(metrics.snapshot().streamsOpened).toBe(3);
  });

  it('hands out a copy: changing a snapshot changes no counter', () => {
    const snapshot = fx.push.metrics.snapshot() as {
      openStreams: number;
      rejections: Record<string, number>;
    };
    snapshot.openStreams = 99;
    snapshot.rejections.unauthorized = 99;
    expect(fx.push.metrics.snapshot().openStreams).toBe(0);
    expect(fx.push.metrics.snapshot().rejections.unauthorized).toBe(0);
  });
});

// Issue 2, point 11 (module): forRoot/forRootAsync, pluggable authenticator/bus/ping policy, the path,
// the Session's eventSourceUrl, CORS preflight when the host enables CORS.
import { Inject, Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import {
  DEFAULT_USERS,
  startPushApp,
  tableAuthenticator,
  type PushApp,
  type PushAppOptions,
} from '../support/push-app';
import { AUTH, stateOf } from '../support/push-fixture';
import { openEventStream, type EventStream } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import {
  InMemoryPushBus,
  JmapPushModule,
  JmapPushSession,
  PushBus,
  PushMetrics,
  StateChangeService,
  type Authenticator,
} from 'jmap-push';

const ALL = 'types=*&closeafter=no&ping=0';
const USER_DIRECTORY = Symbol('USER_DIRECTORY');

@Module({
  providers: [{ provide: USER_DIRECTORY, useValue: tableAuthenticator(DEFAULT_USERS) }],
  exports: [USER_DIRECTORY],
})
class DirectoryModule {}

/** A host service, as a backend writes one: it publishes after a write and reads the counters. */
@Injectable()
class MailWriter {
  constructor(
    readonly stateChanges: StateChangeService,
    readonly metrics: PushMetrics,
  ) {}
}

describe.each(TRANSPORTS)('JmapPushModule (%s transport)', (transport) => {
  let push: PushApp | undefined;
  const streams: EventStream[] = [];
  const start = async (options: PushAppOptions) => (push = await startPushApp({ transport, ...options }));
  const open = async (url: string, headers: Record<string, string> = AUTH.bob) => {
    const stream = await openEventStream(url, headers);
    streams.push(stream);
    return stream;
  };
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await push?.close();
    push = undefined;
  });

  it('forRootAsync: options from a factory with injected dependencies, and the path extra', async () => {
    @Module({
      imports: [
        JmapPushModule.forRootAsync({
          imports: [DirectoryModule],
          inject: [USER_DIRECTORY],
          useFactory: (directory: Authenticator) => ({
            authenticator: directory,
            types: ['CalendarEvent'],
            ping: { min: 1, max: 300 },
          }),
          path: 'async/events',
          transport,
        }),
      ],
      providers: [MailWriter],
    })
    class HostModule {}
    const app = await start({
      module: { module: HostModule },
      path: 'async/events',
    });
    const stream = await open(app.url('types=CalendarEvent&closeafter=no&ping=1'));
    expect(stream.status).toBe(200);
    await stream.next();
    const writer = app.app.get(MailWriter);
    await writer.stateChanges.publish('acc-bob', { CalendarEvent: 'c1' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-bob': { CalendarEvent: 'c1' },
    });
    expect((await stream.nextEvent('ping', 3000)).data).toBe('{"interval":1}');
    expect(writer.metrics.snapshot().stateEvents).toBe(1);
  });

  it('forRootAsync with useClass', async () => {
    @Injectable()
    class PushOptionsFactory {
      constructor(@Inject(USER_DIRECTORY) private readonly directory: Authenticator) {}
      create() {
        return { authenticator: this.directory };
      }
    }
    const module = JmapPushModule.forRootAsync({
      imports: [DirectoryModule],
      useClass: PushOptionsFactory,
      transport,
    });
    const app = await start({ module });
    const { status } = await open(app.url(ALL));
    expect(status).toBe(200);
  });

  it('serves the configured path only, and the Session URL template names it', async () => {
    const app = await start({ path: '/custom/push/' });
    expect((await open(app.url(ALL))).status).toBe(200);
    expect((await open(`${app.baseUrl}/jmap/eventsource?${ALL}`)).status).toBe(404);
    expect(app.app.get(JmapPushSession).eventSourceUrl('https://jmap.example.com/')).toBe(
      'https://jmap.example.com/custom/push?types={types}&closeafter={closeafter}&ping={ping}',
    );
  });

  it('defaults to /jmap/eventsource, with the three RFC 8620 template variables', async () => {
    const app = await start({});
    expect((await open(`${app.baseUrl}/jmap/eventsource?${ALL}`)).status).toBe(200);
    expect(app.app.get(JmapPushSession).eventSourceUrl('https://h')).toBe(
      'https://h/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}',
    );
  });

  it('uses the bus it is given, and exports it', async () => {
    const bus = new InMemoryPushBus({ historySize: 10 });
    const app = await start({ bus });
    expect(app.app.get(PushBus)).toBe(bus);
    const stream = await open(app.url(ALL));
    await stream.next();
    // A change another component put on the bus (another node's, say) reaches the stream.
    await bus.publish('acc-alice', { Email: 'from-elsewhere' });
    expect(stateOf(await stream.next()).changed).toEqual({
      'acc-alice': { Email: 'from-elsewhere' },
    });
  });

  it('refuses to start without an authenticator', async () => {
    await expect(startPushApp({ transport, module: JmapPushModule.forRoot({} as never) })).rejects.toThrow(
      /authenticator/,
    );
  });

  describe('CORS, when the host enables it', () => {
    const ORIGIN = 'https://mail.example';
    const cors = {
      configure: (app: PushApp['app']) => {
        app.enableCors({ origin: ORIGIN, credentials: true });
      },
    };

    it('answers the preflight of a credentialed cross-origin EventSource request', async () => {
      const app = await start(cors);
      const res = await request(app.app.getHttpServer())
        .options('/jmap/eventsource?types=*&closeafter=no&ping=0')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization,last-event-id');
      expect(res.status).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-methods']).toContain('GET');
      expect(res.headers['access-control-allow-headers']).toMatch(/authorization/i);
      expect(res.headers['access-control-allow-headers']).toMatch(/last-event-id/i);
    });

    it('keeps the CORS headers on the stream and on its errors', async () => {
      const app = await start(cors);
      const stream = await open(app.url(ALL), { ...AUTH.bob, Origin: ORIGIN });
      expect(stream.status).toBe(200);
      expect(stream.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      const refused = await open(app.url(ALL), { Origin: ORIGIN });
      expect(refused.status).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe(ORIGIN);
    });
  });
});

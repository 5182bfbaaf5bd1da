import { DirectSink } from 'jmap-push/event-source/direct.sink';
import { openEventStream, type EventStream } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { startServerFromEnv, type TestServer, type UserName } from './support/server-fixture';

/** Issue 11 point 11: the reference server's transport and stream limits come from its environment. */
describe('PUSH_TRANSPORT, PUSH_MAX_STREAMS*, PUSH_PING_MIN (PUSH_PING_MAX: see server-config.spec)', () => {
  let server: TestServer | undefined;
  const streams: EventStream[] = [];
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await server?.close();
    server = undefined;
    jest.restoreAllMocks();
  });

  const boot = async (env: NodeJS.ProcessEnv) => (server = await startServerFromEnv(env));
  const open = async (user: UserName, query = 'types=*&closeafter=no&ping=0', headers: Record<string, string> = {}) => {
    const stream = await openEventStream(`${server!.baseUrl}/jmap/eventsource?${query}`, {
      Authorization: server!.auth(user),
      ...headers,
    });
    streams.push(stream);
    return stream;
  };

  it.each(TRANSPORTS)('serves the event source with PUSH_TRANSPORT=%s, CORS headers kept', async (transport) => {
    const direct = jest.spyOn(DirectSink.prototype, 'writeOpen');
    await boot({ PUSH_TRANSPORT: transport, CORS_ORIGINS: 'https://app.example.org' });
    const stream = await open('alice', 'types=*&closeafter=no&ping=0', { Origin: 'https://app.example.org' });
    expect(stream.status).toBe(200);
    expect(stream.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(direct).toHaveBeenCalledTimes(transport === 'direct' ? 1 : 0);
  });

  it('limits the streams of one principal to PUSH_MAX_STREAMS_PER_PRINCIPAL', async () => {
    await boot({ PUSH_MAX_STREAMS_PER_PRINCIPAL: '2' });
    expect((await open('alice')).status).toBe(200);
    expect((await open('alice')).status).toBe(200);
    const refused = await open('alice');
    expect(refused.status).toBe(429);
    expect(JSON.parse(await refused.body)).toMatchObject({ limit: 'maxStreamsPerPrincipal' });
    expect((await open('bob')).status).toBe(200);
  });

  it('limits the streams of the process to PUSH_MAX_STREAMS', async () => {
    await boot({ PUSH_MAX_STREAMS: '1' });
    expect((await open('alice')).status).toBe(200);
    const refused = await open('bob');
    expect(refused.status).toBe(429);
    expect(JSON.parse(await refused.body)).toMatchObject({ limit: 'maxStreams' });
  });

  it('pings as often as PUSH_PING_MIN allows (RFC 8620 section 7.3: the server may clamp)', async () => {
    // The default minimum is 5 s: a 1 s ping is honoured only because PUSH_PING_MIN lowers it.
    await boot({ PUSH_PING_MIN: '1' });
    const stream = await open('alice', 'types=*&closeafter=no&ping=1');
    expect(JSON.parse((await stream.nextEvent('ping', 5000)).data!)).toEqual({ interval: 1 });
  });
});

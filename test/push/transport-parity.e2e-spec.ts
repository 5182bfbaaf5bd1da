import { basicAuth, openEventStream, type EventStream } from '../support/sse-client';
import { startPushApp, type PushApp } from '../support/push-app';

const BOB = { Authorization: basicAuth('bob@example.com', 'bob-secret') };

/** The frames one scenario produces, with ids replaced by their order of appearance so runs compare. */
async function scenario(push: PushApp): Promise<string[]> {
  const raws: string[] = [];
  const take = async (stream: EventStream, n: number) => {
    for (let i = 0; i < n; i++) raws.push((await stream.next()).raw.replace(/^\n/, ''));
  };
  const live = await openEventStream(push.url('types=Email,Mailbox&closeafter=no&ping=1'), BOB);
  await take(live, 1);
  await push.stateChanges.publish('acc-bob', { Email: 'e1', Thread: 't1' });
  await push.stateChanges.publish('acc-carol', { Email: 'x' });
  await take(live, 1);
  await take(live, 1); // the ping, a second after the state event
  const seen = live.frames[live.frames.length - 1].id as string;
  live.close();
  await push.stateChanges.publish('acc-alice', { Mailbox: 'm1' });
  await push.stateChanges.publish('acc-bob', { Mailbox: 'm2', Email: 'e2' });
  const again = await openEventStream(push.url('types=Email,Mailbox&closeafter=state&ping=0'), {
    ...BOB,
    'Last-Event-ID': seen,
  });
  await take(again, 1);
  await again.ended;
  const ids = new Map<string, string>();
  return raws.map((raw) =>
    raw.replace(/\d+-\d+/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<id${ids.size}>`);
      return ids.get(id) as string;
    }),
  );
}

describe('transports', () => {
  it('sse and direct write the same frames, byte for byte', async () => {
    const results: Record<string, string[]> = {};
    for (const transport of ['sse', 'direct'] as const) {
      const push = await startPushApp({ transport });
      try {
        results[transport] = await scenario(push);
      } finally {
        await push.close();
      }
    }
    expect(results.sse).toEqual([
      'id: <id0>\nretry: 2000\n\n',
      'event: state\nid: <id1>\ndata: {"@type":"StateChange","changed":{"acc-bob":{"Email":"e1"}}}\n\n',
      'event: ping\nid: <id1>\ndata: {"interval":1}\n\n',
      'event: state\nid: <id2>\nretry: 2000\ndata: {"@type":"StateChange","changed":{"acc-alice":{"Mailbox":"m1"},"acc-bob":{"Mailbox":"m2","Email":"e2"}}}\n\n',
    ]);
    expect(results.direct).toEqual(results.sse);
  });
});

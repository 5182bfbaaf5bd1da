import { basicAuth, openEventStream } from '../support/sse-client';
import { startPushApp, type PushApp } from '../support/push-app';

describe('smoke', () => {
  let push: PushApp;
  beforeAll(async () => {
    push = await startPushApp();
  });
  afterAll(() => push.close());

  it('delivers a published change', async () => {
    const stream = await openEventStream(push.url('types=*&closeafter=no&ping=0'), {
      Authorization: basicAuth('bob@example.com', 'bob-secret'),
    });
    expect(stream.status).toBe(200);
    const first = await stream.next();
    console.log(JSON.stringify(first), stream.headers);
    await push.stateChanges.publish('acc-bob', { Email: 'e1' });
    const event = await stream.nextEvent('state');
    console.log(JSON.stringify(event));
    stream.close();
  });
});

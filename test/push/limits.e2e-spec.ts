// Issue 2, point 9 (limits): beyond maxStreamsPerPrincipal or maxStreams, 429 problem details with
// Retry-After and the limit's name; a slot frees when its client leaves.
import { SubscriptionAdmission } from 'jmap-push/subscription/subscription-admission';
import { AUTH, expectProblem, usePushApp } from '../support/push-fixture';
import { TRANSPORTS } from '../support/transports';
import { waitUntil } from '../support/wait';

const ALL = 'types=*&closeafter=no&ping=0';

describe.each(TRANSPORTS)('stream limits (%s transport)', (transport) => {
  const fx = usePushApp(transport, { maxStreamsPerPrincipal: 2, maxStreams: 3, retryAfterSeconds: 9 }, 'each');

  const expect429 = async (user: keyof typeof AUTH, limit: string) => {
    const stream = await fx.open(ALL, AUTH[user]);
    const problem = await expectProblem(stream, 429);
    expect(stream.headers['retry-after']).toBe('9');
    expect(problem).toMatchObject({
      type: 'urn:ietf:params:jmap:error:limit',
      status: 429,
      limit,
    });
    expect(problem.detail).toContain(limit);
  };

  it('refuses a principal its third stream with 429 maxStreamsPerPrincipal; others still connect', async () => {
    await fx.connect('bob', ALL);
    await fx.connect('bob', ALL);
    await expect429('bob', 'maxStreamsPerPrincipal');
    await fx.connect('alice', ALL);
    expect(fx.push.metrics.snapshot().rejections.tooManyStreams).toBe(1);
  });

  it('refuses anyone beyond maxStreams with 429 maxStreams', async () => {
    await fx.connect('bob', ALL);
    await fx.connect('alice', ALL);
    await fx.connect('carol', ALL);
    await expect429('carol', 'maxStreams');
    await expect429('alice', 'maxStreams');
  });

  it('checks limits after credentials and query: 401 and 400 come first', async () => {
    await fx.connect('bob', ALL);
    await fx.connect('bob', ALL);
    expect((await fx.open(ALL, {})).status).toBe(401);
    expect((await fx.open('types=bad&closeafter=no&ping=0', AUTH.bob)).status).toBe(400);
  });

  it('frees the slot when a client leaves, so it can be used again', async () => {
    const first = await fx.connect('bob', ALL);
    await fx.connect('bob', ALL);
    await expect429('bob', 'maxStreamsPerPrincipal');
    first.stream.close();
    const admission = fx.push.app.get(SubscriptionAdmission);
    await waitUntil(() => admission.held === 1, 'the slot is released');
    const again = await fx.connect('bob', ALL);
    expect(again.hello.id).toBeDefined();
  });

  it('frees the slot of a stream ended by closeafter=state', async () => {
    const { stream } = await fx.connect('bob', 'types=*&closeafter=state&ping=0');
    await fx.connect('bob', ALL);
    await fx.push.stateChanges.publish('acc-bob', { Email: 'e1' });
    await stream.ended;
    await waitUntil(() => fx.push.app.get(SubscriptionAdmission).held === 1, 'the slot is released');
    await fx.connect('bob', ALL);
  });

  it('never over-admits a burst of concurrent connections', async () => {
    const burst = await Promise.all(Array.from({ length: 8 }, () => fx.open(ALL, AUTH.bob)));
    const statuses = burst.map((s) => s.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429, 429, 429]);
  });
});

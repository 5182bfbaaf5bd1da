// Issue 6, point 2: isolation. Many users with random grants and type filters, changes published
// concurrently to many accounts: every event every stream receives, live or replayed, is for an account
// its principal may read and a type it asked for, carrying a state really published there. Grants
// revoked while streams are open: revalidation.e2e-spec.ts.
import fc from 'fast-check';
import { changedOf as states, useDirectoryApp } from '../support/grant-directory';
import { waitForIdle } from '../support/server-holds';
import type { EventStream, SseFrame } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';
import { waitUntil } from '../support/wait';

/** Revalidation is not what this file tests: its timer never fires here. */
const REVALIDATE_BY_HAND = 3_600_000;

const TYPES = ['Email', 'Mailbox', 'Thread', 'EmailDelivery', 'Identity'] as const;
const ACCOUNTS = Array.from({ length: 12 }, (_, i) => `acc-${i}`);
const USERS = Array.from({ length: 10 }, (_, i) => `user-${i}`);

interface Scenario {
  grants: string[][];
  /** Per user, the streams it opens: `null` for `*`, else the requested types. */
  subscriptions: Array<Array<string[] | null>>;
  publishes: Array<{ account: number; types: string[] }>;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  grants: fc.array(fc.subarray(ACCOUNTS, { maxLength: 5 }), { minLength: USERS.length, maxLength: USERS.length }),
  subscriptions: fc.array(
    fc.array(fc.option(fc.subarray([...TYPES], { minLength: 1 }), { freq: 3, nil: null }), {
      minLength: 1,
      maxLength: 3,
    }),
    { minLength: USERS.length, maxLength: USERS.length },
  ),
  // Account index ACCOUNTS.length is an account nobody may read.
  publishes: fc.array(
    fc.record({ account: fc.nat({ max: ACCOUNTS.length }), types: fc.subarray([...TYPES], { minLength: 1 }) }),
    { minLength: 150, maxLength: 300 },
  ),
});

describe.each(TRANSPORTS)('isolation (%s transport)', (transport) => {
  const fx = useDirectoryApp(transport, REVALIDATE_BY_HAND);
  const { directory, connect } = fx;

  it("gives every stream, live and on replay, only changes of its principal's accounts and its types, and all of them (fast-check)", async () => {
    let events = 0;
    let replays = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ grants, subscriptions, publishes }) => {
        directory.grants = new Map(USERS.map((user, i) => [user, grants[i]]));
        const streams: Array<{ user: string; types: Set<string> | null; stream: EventStream }> = [];
        await Promise.all(
          USERS.flatMap((user, i) =>
            subscriptions[i].map(async (types) => {
              streams.push({ user, types: types && new Set(types), stream: await connect(user, types) });
            }),
          ),
        );
        // Every state value names its account, type and publication, so a stray one is traceable.
        const published = new Map<string, Set<string>>();
        const latest = new Map<string, string>();
        await Promise.all(
          publishes.map(({ account, types }, seq) => {
            const accountId = account < ACCOUNTS.length ? ACCOUNTS[account] : 'acc-nobody';
            const changed = Object.fromEntries(types.map((type) => [type, `${accountId}/${type}/${seq}`]));
            for (const type of types) {
              const key = `${accountId}/${type}`;
              if (!published.has(key)) published.set(key, new Set());
              published.get(key)!.add(changed[type]);
              latest.set(key, changed[type]);
            }
            return fx.push.stateChanges.publish(accountId, changed);
          }),
        );
        /** Checks a state frame `user` received on a stream of `types`, and records what it carries in `held`. */
        const absorb = (user: string, types: Set<string> | null, frame: SseFrame, held: Map<string, string>) => {
          const readable = new Set(directory.grants.get(user));
          for (const [accountId, typeStates] of Object.entries(states(frame))) {
            if (!readable.has(accountId))
              throw new Error(`${user} got a change of ${accountId}, which it may not read`);
            for (const [type, state] of Object.entries(typeStates)) {
              if (types && !types.has(type)) throw new Error(`${user} got ${type}, which its stream did not ask for`);
              if (!published.get(`${accountId}/${type}`)?.has(state))
                throw new Error(`${user} got ${state}, never published as ${accountId}/${type}`);
              held.set(`${accountId}/${type}`, state);
            }
          }
        };
        /** What a stream must end up holding: the latest state of every (account, type) it may see. */
        const expectedFor = (user: string, types: Set<string> | null) => {
          const readable = new Set(directory.grants.get(user));
          return new Map(
            [...latest].filter(([key]) => readable.has(key.split('/')[0]) && (!types || types.has(key.split('/')[1]))),
          );
        };
        for (const { user, types, stream } of streams) {
          const expected = expectedFor(user, types);
          const held = new Map<string, string>();
          await waitUntil(() => {
            for (const frame of stream.drain()) {
              if (frame.event !== 'state') continue;
              events++;
              absorb(user, types, frame, held);
            }
            return held.size === expected.size && [...expected].every(([key, state]) => held.get(key) === state);
          }, `${user}'s stream holds the latest state of everything it may see`);
        }
        for (const { stream } of streams) stream.close();
        await waitForIdle(fx.push);

        // Each client reconnects with the id it opened with (RFC 8620 section 7.3, Last-Event-ID): the
        // replay, one merged event, holds exactly what the live events did, under the same rules.
        for (const { user, types, stream } of streams) {
          const replay = await connect(user, types, stream.frames[0].id);
          const [hello] = replay.frames;
          const held = new Map<string, string>();
          if (hello.event === 'state') {
            replays++;
            absorb(user, types, hello, held);
          }
          expect(held).toEqual(expectedFor(user, types));
          replay.close();
        }
        for (const { stream } of streams) stream.close();
        await waitForIdle(fx.push);
      }),
      // No shrinking: a run costs a few hundred streams, and the failing run itself says what leaked.
      { numRuns: 6, endOnFailure: true },
    );
    expect(events).toBeGreaterThan(100);
    expect(replays).toBeGreaterThan(10);
  }, 60_000);
});

import fc from 'fast-check';
import type { ChangedAccounts, StateChange } from '../state/type-state';
import { MAX_PUSH_PAYLOAD_OCTETS, payloadOctets, pushVerification, splitStateChange } from './push-payload';

const octets = (body: object): number => Buffer.byteLength(JSON.stringify(body), 'utf8');

/** Every (account, type, state) the bodies carry, each once: what the client learns from them all. */
function carried(bodies: readonly StateChange[]): Array<[string, string, string]> {
  const triples: Array<[string, string, string]> = [];
  for (const body of bodies) {
    expect(body['@type']).toBe('StateChange');
    for (const [accountId, states] of Object.entries(body.changed)) {
      for (const [type, state] of Object.entries(states)) triples.push([accountId, type, state]);
    }
  }
  return triples;
}

function triplesOf(changed: ChangedAccounts): Array<[string, string, string]> {
  return Object.entries(changed).flatMap(([accountId, states]) =>
    Object.entries(states).map(([type, state]): [string, string, string] => [accountId, type, state]),
  );
}

const sorted = (triples: Array<[string, string, string]>): string[] => triples.map((t) => JSON.stringify(t)).sort();

describe('pushVerification (RFC 8620 section 7.2.2)', () => {
  it('is the PushVerification object, as JSON', () => {
    expect(JSON.stringify(pushVerification('ps-1', 'code-ABC'))).toBe(
      '{"@type":"PushVerification","pushSubscriptionId":"ps-1","verificationCode":"code-ABC"}',
    );
  });
});

describe('payloadOctets', () => {
  it('counts UTF-8 octets, not characters', () => {
    expect(payloadOctets({ a: 'é' })).toBe(10);
    expect(payloadOctets({ a: '😀' })).toBe(12);
  });
});

describe('splitStateChange (RFC 8291 section 4: at most 3993 octets of plaintext)', () => {
  it('is 3993 octets by default', () => {
    expect(MAX_PUSH_PAYLOAD_OCTETS).toBe(4096 - 86 - 1 - 16);
  });

  it('gives no body when nothing changed, nor for an account without states', () => {
    expect(splitStateChange({})).toEqual({ bodies: [], omitted: [] });
    expect(splitStateChange({ a1: {} })).toEqual({ bodies: [], omitted: [] });
  });

  it('keeps a small StateChange whole', () => {
    const changed = { a1: { Email: 's1', Mailbox: 's2' }, a2: { Email: 's3' } };
    expect(splitStateChange(changed)).toEqual({ bodies: [{ '@type': 'StateChange', changed }], omitted: [] });
  });

  it('cuts many accounts into bodies that each fit, keeping every account whole and every state once', () => {
    const changed: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 300; i++) changed[`account-${i}`] = { Email: `state-${i}-e`, Mailbox: `state-${i}-m` };
    const { bodies, omitted } = splitStateChange(changed);
    expect(omitted).toEqual([]);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(octets(body)).toBeLessThanOrEqual(3993);
    expect(sorted(carried(bodies))).toEqual(sorted(triplesOf(changed)));
    // Whole accounts: each account appears in exactly one body.
    const seen = bodies.flatMap((body) => Object.keys(body.changed));
    expect(seen.sort()).toEqual(Object.keys(changed).sort());
  });

  it('packs tightly: a body is not closed while the next account would still fit', () => {
    const changed: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 300; i++) changed[`account-${i}`] = { Email: `state-${i}` };
    const { bodies } = splitStateChange(changed);
    const entry = octets({ 'account-100': { Email: 'state-100' } }) - 2;
    for (const body of bodies.slice(0, -1)) expect(octets(body) + 1 + entry).toBeGreaterThan(3993);
  });

  it('fills a body to exactly the budget, and not one octet more', () => {
    const base = octets({ '@type': 'StateChange', changed: { a: { T: '' } } });
    const exact = { a: { T: 'x'.repeat(3993 - base) } };
    expect(splitStateChange(exact).bodies).toEqual([{ '@type': 'StateChange', changed: exact }]);
    expect(octets(splitStateChange(exact).bodies[0])).toBe(3993);
    const over = { a: { T: 'x'.repeat(3994 - base) } };
    expect(splitStateChange(over)).toEqual({ bodies: [], omitted: [{ accountId: 'a', type: 'T' }] });
  });

  it('cuts an account whose own states exceed the budget by type, one part per body, each a valid StateChange', () => {
    const states: Record<string, string> = {};
    for (let i = 0; i < 200; i++) states[`Type${i}`] = `state-of-type-${i}-${'s'.repeat(20)}`;
    const changed = { big: states, small: { Email: 'e1' } };
    const { bodies, omitted } = splitStateChange(changed);
    expect(omitted).toEqual([]);
    expect(bodies.length).toBeGreaterThan(2);
    for (const body of bodies) expect(octets(body)).toBeLessThanOrEqual(3993);
    expect(sorted(carried(bodies))).toEqual(sorted(triplesOf(changed)));
    // The small account rides along in one of the bodies with room.
    expect(bodies.filter((body) => 'small' in body.changed)).toHaveLength(1);
  });

  it('counts octets, not characters: multi-byte ids and states', () => {
    const changed: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 100; i++) changed[`账户-${i}`] = { Email: `状态-${'é'.repeat(10)}-${i}` };
    const { bodies } = splitStateChange(changed);
    for (const body of bodies) expect(octets(body)).toBeLessThanOrEqual(3993);
    expect(JSON.stringify(bodies).length).toBeLessThan(bodies.length * 3993);
    expect(sorted(carried(bodies))).toEqual(sorted(triplesOf(changed)));
  });

  it('leaves out, and reports, a state that cannot fit even alone, and sends the rest', () => {
    const changed = { a1: { Email: 'e1', Huge: 'h'.repeat(5000) }, a2: { Mailbox: 'm1' } };
    const { bodies, omitted } = splitStateChange(changed);
    expect(omitted).toEqual([{ accountId: 'a1', type: 'Huge' }]);
    expect(sorted(carried(bodies))).toEqual(
      sorted([
        ['a1', 'Email', 'e1'],
        ['a2', 'Mailbox', 'm1'],
      ]),
    );
  });

  it('keeps an account named __proto__ as an account', () => {
    const changed = JSON.parse('{"__proto__":{"Email":"s1"},"a2":{"Email":"s2"}}') as ChangedAccounts;
    const { bodies } = splitStateChange(changed);
    expect(JSON.stringify(bodies[0])).toBe(
      '{"@type":"StateChange","changed":{"__proto__":{"Email":"s1"},"a2":{"Email":"s2"}}}',
    );
  });

  it('holds for any input: every body fits a small budget, every state that fits is carried exactly once (fast-check)', () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.dictionary(id, fc.dictionary(id, fc.string({ unit: 'grapheme', maxLength: 40 }), { maxKeys: 12 }), {
          maxKeys: 12,
        }),
        fc.integer({ min: 60, max: 400 }),
        (changed, budget) => {
          const { bodies, omitted } = splitStateChange(changed, budget);
          for (const body of bodies) {
            expect(octets(body)).toBeLessThanOrEqual(budget);
            expect(Object.keys(body.changed).length).toBeGreaterThan(0);
          }
          const omittedKeys = new Set(omitted.map(({ accountId, type }) => JSON.stringify([accountId, type])));
          const expected = triplesOf(changed).filter(([a, t]) => !omittedKeys.has(JSON.stringify([a, t])));
          expect(sorted(carried(bodies))).toEqual(sorted(expected));
          for (const { accountId, type } of omitted) {
            const alone = { '@type': 'StateChange', changed: { [accountId]: { [type]: changed[accountId][type] } } };
            expect(octets(alone)).toBeGreaterThan(budget);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// The "T12: throughput of the Redis bus" section of bench/RESULTS.md (issue 15 point 5), from the `bus`
// results of run.mjs (bench/bus/run-bus.mjs); bench/ANALYSIS-bus.md (hand-written causes) is appended to it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { f0, f1, f2, int, table } from './report.mjs';

function analysis() {
  try {
    return readFileSync(fileURLToPath(new URL('../ANALYSIS-bus.md', import.meta.url)), 'utf8').trim() + '\n';
  } catch {
    return '';
  }
}

/**
 * Largest heap growth during the hold still called flat, after GC at both ends (MiB per minute). The read
 * loop's old leak (every XREAD reply kept, ~4.5 MiB per 10k entries) was 13 MiB/min at 500 changes/s.
 */
const FLAT_HEAP_MIB_PER_MIN = 2;
const pct = (x) => (Number.isFinite(x) ? `${f0(100 * x)} %` : '–');
const by = (x, floor) => (Number.isFinite(x) && Number.isFinite(floor) && floor > 0 ? `${f2(x / floor)}×` : '–');

/** The last try of every rate (a missed step is run twice). */
const finalSteps = (r) => (r?.steps ?? []).filter((s) => !s.retried);

function stepRows(label, r) {
  return (r?.steps ?? []).map((s) => [
    `**${label}**${s.retry ? ' (again)' : ''}`,
    int(s.rate),
    s.deliveriesPerSecondPerNode.map(int).join(' / '),
    f1(s.p50),
    f1(s.p99),
    s.perNode.map((n) => f1(n.p99)).join(' / '),
    int(s.missing),
    s.busy.nodes.map(pct).join(' / '),
    f0((s.busy.nodes.reduce((a, b) => a + b, 0) * 1e6) / s.rate / s.busy.nodes.length),
    pct(s.busy.redis),
    pct(s.busy.gen),
    pct(s.busy.softirq),
    pct(Math.max(0, s.busy.machine - s.busy.nodes.reduce((a, b) => a + b, 0) - s.busy.redis - s.busy.gen - s.busy.softirq)),
    s.aborted ? 'overloaded' : s.met ? '✅' : '❌',
  ]);
}

/** Least-squares line through (x, y): { a: intercept, b: slope }; with one point, the line through the origin. */
function fit(points) {
  if (points.length === 1) return { a: 0, b: points[0][1] / points[0][0] };
  const n = points.length;
  const mx = points.reduce((t, [x]) => t + x, 0) / n;
  const my = points.reduce((t, [, y]) => t + y, 0) / n;
  const sxx = points.reduce((t, [x]) => t + (x - mx) ** 2, 0);
  const b = points.reduce((t, [x, y]) => t + (x - mx) * (y - my), 0) / sxx;
  return { a: my - b * mx, b };
}

/**
 * Where each process's core would be full: a line through its CPU share at every rate run on schedule
 * (met or not: CPU time does not depend on the latency target; a fixed part,
 * the publish schedule's timers and the stats polls, plus a part per change), extended to 100 % of a core.
 * `usPerChange` is the line's slope: the marginal CPU time of one more change.
 */
function ceilings(r) {
  const met = (r?.steps ?? []).filter((x) => !x.aborted);
  if (!met.length) return undefined;
  const line = (get) => {
    const { a, b } = fit(met.map((x) => [x.rate, get(x)]));
    return { fixed: a, usPerChange: b * 1e6, ceiling: b > 0 ? (1 - a) / b : NaN };
  };
  return {
    rate: Math.max(...met.map((x) => x.rate)),
    nodes: met[0].busy.nodes.map((_, i) => line((x) => x.busy.nodes[i])),
    redis: line((x) => x.busy.redis),
  };
}

export function busSection(out) {
  const b = out.bus;
  if (!b) return '';
  const c = b.config;
  const s = [];
  s.push(`## T12: throughput of the Redis bus (issue 15 point 5)\n`);
  s.push(
    `Two app nodes (\`bench/servers/module.mjs direct redis\`, one Redis Streams bus: a shared key prefix on 127.0.0.1:6379), node 0 pinned to core 0 and node 1 to core 1, ` +
      `each holding ${int(c.accounts)} accounts × ${c.perAccount} streams = ${int(c.accounts * c.perAccount)} streams; both publish (each half the rate) round robin over the accounts, so ` +
      `every change goes through Redis to ${c.perAccount} streams on each node. Rates step up (${c.steps.map(int).join(', ')} changes/s, ${c.stepSeconds} s each; a missed step runs once more, two misses end the climb), ` +
      `then the highest one met is held ${c.holdSeconds} s (heap and RSS after GC at both ends, RSS each second). A step is met when p99 ≤ 50 ms, no probe misses a change, every stream got every frame and the publishers kept their schedule. ` +
      `Latency is client-observed as in the other rows (the generator's stream holder's hrtime at receipt − the publishing node's hrtime just before \`publish()\`), on probes (the first stream of every ${c.probeEvery === 1 ? '' : c.probeEvery + '-th '}account on each node, read live); ` +
      `the other streams stay paused (their kernel buffers absorb a step) and are drained and counted after it.\n\n` +
      `**The machine has 2 cores**: the generator is not pinned and shares them with both nodes and Redis (its CPU share is in every row), and Redis serves the other helpers' benchmarks and tests too ` +
      `(its CPU share is Redis's whole process, from INFO). "others" = busy time of both cores not accounted to the nodes, Redis, the generator or softirq. Wall-clock figures (p99, the highest rate met) ` +
      `move with that load; the CPU figures (µs per entry, per change) much less.\n`,
  );

  // --- the read loop
  const nf = b.noFanout;
  if (nf?.ok) {
    s.push(
      `### T12a: the read loop alone (\`noFanout\`)\n\nOne node with no streams (core 0) and the floor, a bare ioredis XREAD loop (\`bench/bus/xread-floor.mjs\`: same COUNT 500 / BLOCK, decoding each entry's account and JSON, nothing else; core 1), ` +
        `both reading the ${int(nf.entries)} entries the generator wrote (\`publishStateChange\`, what a node's publish writes) at ${int(nf.rate)}/s. ` +
        `The floor is the bare loop and not the in-memory bus: what is measured here is the cost of taking entries off Redis, which the in-memory bus does not have.\n\n` +
        table(
          ['reader', 'CPU µs per entry', 'entries/s one core reads', '÷ floor (CPU per entry)', 'caught up'],
          [
            ['**floor** (bare ioredis XREAD)', f1(nf.floorUsPerEntry), int(nf.floorEntriesPerCoreSecond), '1.00×', ''],
            ['**node** (`RedisPushBus` reader, no streams)', f1(nf.nodeUsPerEntry), int(nf.nodeEntriesPerCoreSecond), by(nf.nodeUsPerEntry, nf.floorUsPerEntry), nf.caughtUp?.ok ? 'yes' : `no (${JSON.stringify(nf.caughtUp)})`],
          ],
        ) +
        `\n\nRedis: ${f1(nf.redisUsPerEntry)} µs of CPU per entry (one MULTI of XADD + HSET, read by two XREAD loops; Redis's whole process, so other clients' commands count too); ` +
        `of which command execution (INFO commandstats): ${f2(nf.redisWriteCommandUs)} µs per write (MULTI + EXEC with its XADD and HSET) and ${f2(nf.redisReadCommandUsPerEntryPerReader)} µs per entry per XREAD reader, the rest being network I/O and protocol. ` +
        `Writer (\`publishStateChange\` on one ioredis client, in the generator): ${f0(nf.genUsPerEntry)} µs of CPU per change.${nf.failed ? ` ${int(nf.failed)} writes failed (first: \`${nf.firstError}\`).` : ''}\n\n` +
        `What the node keeps of what it read (heap after GC, before → after the window): ${f1(nf.retained.heapBefore / 1048576)} → ${f1(nf.retained.heapAfter / 1048576)} MiB, ` +
        `${f2(nf.retained.heapMiBPer10kEntries)} MiB per 10k entries over the window (RSS ${f2(nf.retained.rssMiBPer10kEntries)} MiB per 10k), which includes filling the bus's in-memory replay window (the newest 10,000 changes, kept by design); ` +
        `after ${int(nf.retained.entriesAtMid)} entries, once the window is full: **${f2(nf.retained.heapMiBPer10kAfterWindow)} MiB per 10k entries** (${f1(nf.retained.heapMid / 1048576)} → ${f1(nf.retained.heapAfter / 1048576)} MiB): what the read loop retains.\n\n` +
        `Change log memory (MEMORY USAGE … SAMPLES 0 at XLEN ${int(nf.memory.xlen)}, the default \`maxLen\` 10,000 with \`~\` trimming): **${f0(nf.memory.bytesPerEntry)} bytes per entry** ` +
        `(entry: \`${JSON.stringify(nf.memory.sampleEntry?.[1])}\`); one account's latest-states hash: ${int(nf.memory.latestHashBytes)} bytes.\n`,
    );
  } else if (nf) s.push(`### T12a: the read loop alone\n\nFailed: \`${String(nf.error).split('\n')[0].slice(0, 300)}\`\n`);

  // --- the steps
  const rows = [...stepRows('redis', b.redis), ...stepRows('memory', b.memory)];
  s.push(
    `### T12b: publish rate with the Redis bus, floor: the in-memory bus\n\n` +
      `**redis**: the two nodes above. **memory**: the same ${int(c.accounts * c.perAccount)} streams on one node with the in-memory bus (core 0, beside node 0), publishing the whole rate: ` +
      `the three nodes run in one session and the two buses are stepped in turn at each rate (the other bus's nodes idle meanwhile), so the neighbours' load hits both alike; ` +
      `the same deliveries per node, without Redis: the floor of the rate (the bus's cost is what the ratio shows). Deliveries/s and busy are per node (node 0 / node 1).\n\n` +
      table(
        ['bus', 'changes/s', 'deliveries/s per node', 'p50 ms', 'p99 ms', 'p99 per node', 'missing', 'node busy', 'node CPU µs per change', 'Redis busy', 'generator busy', 'softirq', 'others', 'met'],
        rows,
      ) +
      '\n',
  );
  for (const [label, r] of [
    ['redis', b.redis],
    ['memory', b.memory],
  ])
    if (r && !r.ok) s.push(`- **${label}** failed: \`${String(r.error).split('\n')[0].slice(0, 300)}\`\n`);

  // --- summary
  const cr = ceilings(b.redis);
  const cm = ceilings(b.memory);
  const hold = b.redis?.hold;
  // judged on the heap after GC: RSS after GC still moves by tens of MiB as the allocator keeps or returns pages
  const flat = hold?.afterGc ? hold.afterGc.every((x) => x.heapMiBPerMin <= FLAT_HEAP_MIB_PER_MIN) : undefined;
  const mib = (x) => f1(x / 1048576);
  // RSS climbs while the first seconds' buffers are allocated, then levels: its least-squares slope over the last two thirds
  const rssLate = (hold?.rssSeries ?? []).map((series) => {
    const late = series.filter(([t]) => t >= hold.seconds / 3);
    return late.length > 2 ? fit(late.map(([t, rss]) => [t, rss / 1048576])).b * 60 : NaN;
  });
  const sum = [
    [
      '**redis** (2 nodes)',
      int(b.redis?.highestMet),
      by(b.redis?.highestMet, b.memory?.highestMet),
      hold
        ? `${int(hold.rate)}/s for ${hold.seconds} s: p99 ${f1(hold.p99)} ms, missing ${int(hold.missing)}; after GC, heap ${(hold.afterGc ?? []).map((x) => `${mib(x.heapStart)} → ${mib(x.heapEnd)}`).join(' / ')} MiB ` +
          `(${(hold.afterGc ?? []).map((x) => f2(x.heapMiBPerMin)).join(' / ')} MiB/min), RSS ${(hold.afterGc ?? []).map((x) => `${f0(x.rssStart / 1048576)} → ${f0(x.rssEnd / 1048576)}`).join(' / ')} MiB ` +
          `(${(hold.afterGc ?? []).map((x) => f1(x.rssMiBPerMin)).join(' / ')} MiB/min; over the last two thirds, sampled each second: ${rssLate.map(f1).join(' / ')} MiB/min): ${flat ? 'flat' : 'growing'}`
        : '–',
      cr ? cr.nodes.map((x) => `${int(x.ceiling)} (${f0(x.usPerChange)} µs/change + ${pct(x.fixed)})`).join(' / ') : '–',
      cr ? `${int(cr.redis.ceiling)} (${f0(cr.redis.usPerChange)} µs/change)` : '–',
      hold ? `${hold.met ? '✅' : '❌'} p99, ${flat ? '✅' : '❌'} flat` : '',
    ],
    ['**memory** (1 node, floor)', int(b.memory?.highestMet), '1.00×', '', cm ? cm.nodes.map((x) => `${int(x.ceiling)} (${f0(x.usPerChange)} µs/change + ${pct(x.fixed)})`).join(' / ') : '–', '', ''],
  ];
  s.push(
    `### T12: summary\n\n` +
      table(['bus', 'highest rate met (changes/s)', '÷ floor', `hold at that rate (flat: heap after GC grows ≤ ${FLAT_HEAP_MIB_PER_MIN} MiB/min; RSS after GC beside it)`, 'node CPU ceiling: changes/s at 100 % of a core (marginal CPU per change + fixed share)', 'Redis CPU ceiling (changes/s)', 'p99 ≤ 50 ms, flat RSS'], sum) +
      `\n\nCeilings: a least-squares line through each process's CPU share at every step run on schedule (a fixed share: the publish schedule's 2 ms timer, the stats polls; plus a marginal cost per change), extended to a whole core: ` +
      `the lowest one is what bounds the rate on a quiet machine; the rate met here is lower when the machine's 2 cores are full first (see "others").` +
      (nf?.ok && cr
        ? ` Of a Redis node's marginal ${f0(cr.nodes[0].usPerChange)} µs per change, the read loop takes ~${f1(nf.nodeUsPerEntry)} µs (T12a), its share of the publishes (half the changes, one MULTI each) and the fan-out to ${c.perAccount} streams the rest; ` +
          (cm ? `the in-memory node spends ${f0(cm.nodes[0].usPerChange)} µs per change on the publish and the same fan-out.` : '')
        : '') +
      '\n',
  );
  s.push(analysis());
  return s.join('\n');
}

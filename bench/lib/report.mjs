// Writes bench/RESULTS.md from the raw results of run.mjs.
import { wsSection } from './report-ws.mjs';
import { busSection } from './report-bus.mjs';
import { webPushSection } from './report-webpush.mjs';

const KINDS = ['floor', 'naive', 'sseFloor', 'sse', 'direct', 'sse-redis', 'direct-redis', 'floorRaw'];
/** The transport whose targets apply: `direct-redis` → `direct`. */
const base = (kind) => kind.split('-')[0];
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const spread = (lo, hi, f = f0) => (Number.isFinite(lo) && Number.isFinite(hi) ? ` (${f(lo)}–${f(hi)})` : '');
const ratio = (x, floor) => (Number.isFinite(x) && Number.isFinite(floor) && floor > 0 ? `${(x / floor).toFixed(2)}×` : '–');
const yes = (ok) => (ok === undefined ? '' : ok ? '✅ met' : '❌ gap');

/** Targets of issue 8, per transport; `check` returns true/false or undefined (no target). */
const TARGETS = {
  T1: { direct: [19500, (v) => v >= 19500, '≥ 19,500'], sse: [19500, (v) => v >= 19500, '≥ 19,500'] },
  T2: { direct: [20, (v) => v <= 20, '≤ 20 KiB (stretch 16)'], sse: [32, (v) => v <= 32, '≤ 32 KiB'] },
  T3: { direct: [200, null, '≤ 200 ms and ≤ 1.4× floor'], sse: [300, (v) => v <= 300, '≤ 300 ms'] },
  T4: { direct: [450, (v) => v <= 450, '≤ 450 ms'], sse: [650, (v) => v <= 650, '≤ 650 ms'] },
  T5: { direct: [250, (v) => v <= 250, '≤ 250 ms'], sse: [350, (v) => v <= 350, '≤ 350 ms'] },
  T6: { direct: [5, (v) => v <= 5, '≤ 5 ms'], sse: [5, (v) => v <= 5, '≤ 5 ms'] },
  T7: { direct: [50000, null, '≥ 50,000/s, p99 ≤ 250 ms, flat RSS'], sse: [30000, null, '≥ 30,000/s, flat RSS'] },
  T8: { direct: [1, null, 'p50 ≤ 1 ms, p99 ≤ 10 ms'], sse: [1, null, 'p50 ≤ 1 ms, p99 ≤ 10 ms'] },
  T9: { direct: [3500, null, '≥ 3,500/s, all replayed'], sse: [3000, null, '≥ 3,000/s, all replayed'] },
  T10: { direct: [35, (v) => v <= 35, '≤ 35 ms/min/1k'], sse: [null, null, 'measured'] },
  T11: { direct: [64, null, '≤ 64 KiB each, then merge/close; others unchanged'], sse: [64, null, 'same'] },
};
/**
 * Issue 15's connect targets, as ratios to the floor's rate in the same run (wall clock; the ratio of server CPU
 * per connect is shown beside it): T8, T9 and the `connect` session's rate; T2 for `direct` in KiB and × floor.
 */
const CONNECT_RATIO = { direct: 0.6, sse: 0.4 };
const connectTarget = (kind) => (CONNECT_RATIO[base(kind)] ? `≥ ${CONNECT_RATIO[base(kind)]}× floor` : '');
const connectMet = (kind, x, floor) =>
  CONNECT_RATIO[base(kind)] && Number.isFinite(x) && Number.isFinite(floor) ? yes(x / floor >= CONNECT_RATIO[base(kind)]) : '';
/** The floor's CPU per connect ÷ this server's: how many of this server's connects the floor's CPU pays for. */
const cpuRatio = (x, floor) => (Number.isFinite(x) && Number.isFinite(floor) && x > 0 ? `${(floor / x).toFixed(2)}×` : '–');
const target = (t, kind) => TARGETS[t]?.[base(kind)]?.[2] ?? '';
const check = (t, kind, v) => {
  const c = TARGETS[t]?.[base(kind)]?.[1];
  return c && Number.isFinite(v) ? c(v) : undefined;
};

function get(out, session, kind) {
  const r = out.sessions?.[session]?.[kind];
  return r && r.ok ? r : undefined;
}

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function failures(out, session, kinds) {
  const lines = [];
  for (const k of kinds) {
    const r = out.sessions?.[session]?.[k];
    if (r && !r.ok) lines.push(`- **${k}** failed: \`${String(r.error).split('\n')[0].slice(0, 300)}\``);
  }
  return lines.join('\n');
}

function loadNote(out, session, kinds) {
  const busy = kinds
    .map((k) => [k, out.sessions?.[session]?.[k]?.machineLoad])
    .filter(([, l]) => l && (l.core0 > 0.1 || l.core1 > 0.1))
    .map(([k, l]) => `${k}: core 0 ${f0(100 * l.core0)} %, core 1 ${f0(100 * l.core1)} %`);
  return busy.length ? `\n> Other processes on the machine during this session (share of a core): ${busy.join('; ')}. Figures of those rows are noisier.\n` : '';
}

function latencySection(out, kinds, session, t, title, what) {
  const floor = get(out, session, 'floor')?.[t];
  const rows = [];
  for (const k of kinds) {
    const r = get(out, session, k)?.[t];
    if (!r) continue;
    const ok =
      t === 'T3' && base(k) === 'direct'
        ? r.p99 <= 200 && (!floor || r.p99 / floor.p99 <= 1.4)
        : check(t, k, r.p99);
    rows.push([
      `**${k}**`,
      f1(r.p50),
      `${f0(r.p99)}${spread(r.p99Min, r.p99Max)}`,
      f0(r.flushMs),
      f0(r.cpuMs),
      ratio(r.p99, floor?.p99),
      ratio(r.cpuMs, floor?.cpuMs),
      `${r.runs.length}×${(r.runs[0]?.changes ?? r.runs[0]?.pubs ?? r.runs[0]?.bursts)?.length ?? '?'}` /* pubs/bursts: results before the shared change-runs */,
      r.missing ? String(r.missing) : '0',
      r.genSaturated ? '⚠️ yes' : 'no',
      target(t, k),
      yes(ok),
    ]);
  }
  return `### ${t}: ${title}\n\n${what}\n\n${table(
    ['server', 'p50 ms', 'p99 ms median (min–max of runs)', 'server flush ms', 'server CPU ms per change', 'p99 ÷ floor', 'CPU ÷ floor', 'runs×changes', 'missing', 'generator saturated', 'target', ''],
    rows,
  )}\n${failures(out, session, kinds)}${loadNote(out, session, kinds)}\n`;
}

/** `analysis`: hand-written causes of the gaps (bench/ANALYSIS.md), appended after the tables. */
export function writeReport(out, analysis) {
  // `--before` servers (`sse-before`, ...) after the others
  const before = Object.keys(out.servers ?? {}).filter((k) => k.endsWith('-before'));
  const kinds = [...KINDS, ...before].filter((k) => out.servers?.[k] && !out.skipped?.[k]);
  const m = out.machine;
  const s = [];
  s.push(`# jmap-push benchmark results\n`);
  s.push(
    `Generated by \`node bench/run.mjs${m.quick ? ' --quick' : ''}\` (\`npm run bench\`) on ${m.date}, in ${f0(out.totalSeconds)} s.` +
      (m.quick ? ' **Quick mode**: 2,000 streams where the full run has 10,000 (4,000 held in T1), 2 runs of 3 changes, 5 s sustained windows, fewer servers; figures are indicative, and the targets apply to the full run.' : ''),
  );
  for (const r of out.reruns ?? []) s.push(`\nSessions ${r.sessions.join(', ')} of ${r.servers.join(', ')} were (re-)run on ${r.date} and merged into these results.`);
  s.push(`\n| machine | |\n|---|---|\n| CPU | ${m.cpu} |\n| memory | ${m.memGiB} GiB |\n| kernel | ${m.kernel} |\n| Node | ${m.node} |\n| Nest | core ${m.versions['@nestjs/core']}, common ${m.versions['@nestjs/common']}, platform-express ${m.versions['@nestjs/platform-express']} (express ${m.versions.express}), rxjs ${m.versions.rxjs} |\n| \`ulimit -Hn\` | ${m.ulimitHn} |\n`);
  s.push(`Servers: ${kinds.map((k) => `**${k}** = ${out.servers[k]}`).join('; ')}.`);
  for (const [k, why] of Object.entries(out.skipped ?? {})) s.push(`\n- **${k}** was skipped: \`${why}\``);
  s.push(`
## Method
- Every server is its own process pinned to core 0 (\`taskset -c 0\`), the load generator its own process on core 1
  (\`taskset -c 1\`); each session starts a fresh server. Streams are raw sockets (\`net.connect\`) from
  \`127.x.y.1\` source addresses (1,500 connections per address), GET \`/jmap/eventsource?types=*&closeafter=no&ping=0\`
  with Basic auth; a probe subset (~200 streams, spread over the connection order) is read, the other streams are
  paused (\`socket.pause()\`) and drained between changes.
- Latency = receipt of the change's frame on a probe (\`process.hrtime.bigint()\` in the generator) − the
  timestamp taken just before \`publish()\` in the server (CLOCK_MONOTONIC, system-wide). "Server flush" = server-side
  time until two \`setImmediate\`s after the fan-out; "server CPU" = the server's \`process.cpuUsage()\` from just before
  the publish until every probe had its frame.
- At least 3 runs of 5 changes; a run's p99 pools its deliveries; tables show the median of the runs with the
  min–max of the runs. A run where the generator's own CPU time reached 90 % of wall time is flagged "saturated".
  Slow servers get fewer runs once a scenario used its time budget.
- Loopback delivery (the receiver's TCP processing) runs in softirq on the sending core, i.e. on the server's core 0:
  latencies include work a real network would do on the client's machine.
`);

  // T1 / T2
  {
    const rows = [];
    const floor = get(out, 'oneAccount', 'floor');
    for (const k of kinds) {
      const r = get(out, 'oneAccount', k);
      if (!r) continue;
      rows.push([
        `**${k}**`,
        `${int(r.T1.held)} / ${int(r.T1.attempted)}`,
        int(r.connect10k.perSecond),
        f1(r.T2.perStreamKiB),
        f1(r.T2.heapPerStreamKiB),
        ratio(r.T2.perStreamKiB, floor?.T2.perStreamKiB),
        f0(r.T2.emptyRss / 1048576),
        f0(r.T1.rss / 1048576),
        `${target('T1', k)}${target('T1', k) ? '; ' : ''}${target('T2', k)}`,
        base(k) in TARGETS.T1 ? `T1 ${yes(check('T1', k, r.T1.held))}, T2 ${yes(check('T2', k, r.T2.perStreamKiB))}` : '',
      ]);
    }
    s.push(`## Results\n\n### T1 streams held, T2 RSS per idle stream\n\n10,000 streams of one account (T2: RSS after GC, above the empty process), then 9,500 more (T1).\n\n${table(
      ['server', 'T1 streams held', 'connects/s (10k, 256 in flight)', 'T2 RSS KiB/stream', 'heap KiB/stream', 'RSS ÷ floor', 'empty RSS MiB', 'RSS at 19.5k MiB', 'targets', ''],
      rows,
    )}\n${failures(out, 'oneAccount', kinds)}${loadNote(out, 'oneAccount', kinds)}\n`);
  }
  // the `connect` session (optional): the connect rate and T2 alone
  if (kinds.some((k) => get(out, 'connect', k))) {
    const rows = [];
    const floor = get(out, 'connect', 'floor');
    for (const k of kinds) {
      const r = get(out, 'connect', k);
      if (!r) continue;
      const t2 = base(k) === 'direct' ? ' T2 ≤ 16 KiB and ≤ 1.25× floor' : '';
      const t2met = base(k) === 'direct' && floor ? `, T2 ${yes(r.T2.perStreamKiB <= 16 && r.T2.perStreamKiB <= 1.25 * floor.T2.perStreamKiB)}` : '';
      rows.push([
        `**${k}**`,
        `${int(r.connect.perSecond)}${spread(r.connect.min, r.connect.max, int)}`,
        ratio(r.connect.perSecond, floor?.connect.perSecond),
        f0(r.connect.cpuPerConnectMs * 1000),
        cpuRatio(r.connect.cpuPerConnectMs, floor?.connect.cpuPerConnectMs),
        f1(r.T2.perStreamKiB),
        ratio(r.T2.perStreamKiB, floor?.T2.perStreamKiB),
        f1(r.T2.heapPerStreamKiB),
        `${connectTarget(k)}${t2 && ';'}${t2}`,
        `${connectMet(k, r.connect.perSecond, floor?.connect.perSecond)}${t2met}`,
      ]);
    }
    s.push(`### Connects (session \`connect\`, issue 15)\n\n3 rounds of 10,000 streams of \`a0\` opened 256 at a time, then dropped (median round, min–max); T2 after the first. "CPU ratio" = the floor's server CPU per connect ÷ the server's (less disturbed by a busy machine than the rate).\n\n${table(
      ['server', 'connects/s (min–max)', '÷ floor', 'server CPU µs per connect', 'CPU ratio', 'T2 RSS KiB/stream', 'RSS ÷ floor', 'heap KiB/stream', 'targets', ''],
      rows,
    )}\n${failures(out, 'connect', kinds)}${loadNote(out, 'connect', kinds)}\n`);
  }
  s.push(latencySection(out, kinds, 'oneAccount', 'T3', 'one change, 10k streams of one account', '10,000 streams of account `a0`, 200 probes (every 50th connection).'));
  s.push(latencySection(out, kinds, 'oneAccount', 'T4', 'one change, 19.5k streams of one account', '19,500 streams of `a0`, 195 probes (every 100th connection).'));
  {
    const sec = latencySection(out, kinds, 'accounts', 'T5', 'one change on each of 10k one-stream accounts', '10,000 accounts with one stream each; the server publishes to all 10,000 in one loop; latency from the start of the loop; 200 probes.');
    const extra = kinds
      .map((k) => [k, get(out, 'accounts', k)?.T5])
      .filter(([, r]) => r)
      .map(([k, r]) => `${k} ${f0(r.publishLoopMs)} ms`)
      .join(', ');
    s.push(sec + (extra ? `\nTime spent inside the 10,000 \`publish()\` calls: ${extra}.\n` : ''));
  }
  // T6
  {
    const rows = [];
    const floor = get(out, 'load', 'floor')?.T6;
    for (const k of kinds) {
      const r = get(out, 'load', k)?.T6;
      if (!r) continue;
      rows.push([`**${k}**`, f2(r.p50), `${f2(r.p99)}${spread(r.p99Min, r.p99Max, f2)}`, f0(r.cpuPerPublishUs), ratio(r.cpuPerPublishUs, floor?.cpuPerPublishUs), f1(100 * (r.runs[0]?.serverBusy ?? NaN)) + ' %', String(r.missing), r.genSaturated ? '⚠️ yes' : 'no', target('T6', k), yes(check('T6', k, r.p99))]);
    }
    s.push(`### T6: single-account changes at 100/s among 10k idle streams\n\n2,000 accounts × 5 streams; changes to the 40 probe accounts (5 streams each) at 100/s, ${out.machine.quick ? 200 : 500} changes per run.\n\n${table(
      ['server', 'p50 ms', 'p99 ms (min–max of runs)', 'server CPU µs per change', 'CPU ÷ floor', 'server busy', 'missing', 'generator saturated', 'target', ''],
      rows,
    )}\n${failures(out, 'load', kinds)}${loadNote(out, 'load', kinds)}\n`);
  }
  // T7 / T11
  for (const [session, t, title] of [
    ['sustained', 'T7', 'sustained deliveries'],
    ['stall', 'T11', '1 % of clients never read, during the T7 load'],
  ]) {
    const rows = [];
    const floor = get(out, session, 'floor')?.sustain;
    for (const k of kinds) {
      const r = get(out, session, k)?.sustain;
      if (!r) continue;
      let ok;
      if (t === 'T7' && k === 'direct') ok = r.deliveredPerSecond >= 50000 * 0.98 && r.p99 <= 250 && !r.aborted;
      if (t === 'T7' && k === 'sse') ok = r.deliveredPerSecond >= 30000 * 0.98 && !r.aborted;
      const t7 = get(out, 'sustained', k)?.sustain;
      rows.push([
        `**${k}**`,
        `${int(r.offeredDeliveriesPerSecond)}/s for ${r.seconds} s${r.aborted ? ` — **overloaded, stopped after ${f1(r.publishedSeconds)} s**` : ''}`,
        int(r.deliveredPerSecond),
        f1(r.p50),
        `${f0(r.p99)}${spread(r.p99Min, r.p99Max)}`,
        f0(r.max),
        f0(100 * r.serverBusy) + ' %',
        `${f0(r.rssStart / 1048576)} → ${f0(r.rssEnd / 1048576)}`,
        f1(r.rssSlopeMiBPerMin),
        t === 'T11' ? `${f0(r.sockets.maxWritableAtEnd / 1024)} KiB, ${r.sockets.over64kAtEnd} > 64 KiB, ${r.stalledClosed} closed, merges ${r.serverMerges ?? '–'}` : ratio(r.p99, floor?.p99),
        t === 'T11' ? `${f0(t7?.p99)} → ${f0(r.p99)}` : r.genSaturated ? '⚠️ yes' : 'no',
        target(t, k),
        yes(ok),
      ]);
    }
    const what =
      t === 'T7'
        ? '10,000 streams, 100 accounts × 100 streams, every stream read (frames counted), 2 probes per account; the server publishes round robin at the offered rate (500 changes/s = 50,000 deliveries/s for floor and direct, 300/s = 30,000/s for naive and sse). "Delivered" = frames the generator received ÷ time until the last one; thirds of the run are the "runs". A server lagging 2 s behind its schedule stops publishing (overloaded).'
        : 'The T7 load plus 100 more streams (1 %) of account `s0` that never read. Loopback TCP absorbs ~4 MB per socket before the server sees backpressure, so `s0` first gets 1,200 changes with a 4 KB state (≈ 4.8 MB per stream), then 10 more per second during the run. "Unsent" = the largest `socket.writableLength` at the end (bytes queued inside Nest\'s stream pipeline are not visible there: see RSS).';
    s.push(`### ${t}: ${title}\n\n${what}\n\n${table(
      ['server', 'offered', 'delivered/s', 'p50 ms', 'p99 ms (min–max of thirds)', 'max ms', 'server busy', 'RSS MiB', 'RSS slope MiB/min (after 20 %)', t === 'T11' ? 'stalled streams: unsent at end' : 'p99 ÷ floor', t === 'T11' ? 'others p99: T7 → T11' : 'generator saturated', 'target', ''],
      rows,
    )}\n${failures(out, session, kinds)}${loadNote(out, session, kinds)}\n`);
  }
  // T8
  {
    const rows = [];
    for (const k of kinds) {
      const r = get(out, 'load', k)?.T8;
      if (!r) continue;
      const floor = get(out, 'load', 'floor')?.T8;
      // one connect at a time: connects/s = 1 / p50
      rows.push([
        `**${k}**`,
        String(r.n),
        f2(r.p50),
        `${f2(r.p99)}${spread(r.p99Min, r.p99Max, f2)}`,
        f2(r.max),
        f2(r.cpuPerConnectMs),
        String(r.fails),
        ratio(1 / r.p50, floor && 1 / floor.p50),
        target('T8', k),
        base(k) in TARGETS.T8 ? yes(r.p50 <= 1 && r.p99 <= 10) : '',
        connectTarget(k),
        connectMet(k, 1 / r.p50, floor && 1 / floor.p50),
      ]);
    }
    s.push(`### T8: connect with Basic auth, unloaded\n\nOne connection at a time to an idle server: TCP connect + request → the status line.\n\n${table(
      ['server', 'connects', 'p50 ms', 'p99 ms (min–max of thirds)', 'max ms', 'server CPU ms per connect', 'failures', 'connects/s (1/p50) ÷ floor', 'target', '', 'issue 15', ''],
      rows,
    )}\n`);
  }
  // T9
  {
    const rows = [];
    for (const k of kinds) {
      const r = get(out, 'load', k)?.T9;
      if (!r) continue;
      const thr = TARGETS.T9[base(k)]?.[0];
      const floor = get(out, 'load', 'floor')?.T9;
      const broken = r.runs.filter((x) => x.missedReplay > 0 || x.streams < r.runs[0].streams).length;
      rows.push([
        `**${k}**`,
        int(r.runs[0]?.streams),
        broken ? `– (${broken} of ${r.runs.length} runs lost streams or replays; first run ${int(r.runs[0].opened)} opened)` : `${int(r.perSecond)}${spread(r.min, r.max, int)}`,
        broken ? f2(r.runs[0].cpuPerReconnectMs) + ' (first run)' : f2(r.cpuPerReconnectMs),
        String(r.missedReplay),
        r.genSaturated && !broken ? '⚠️ yes' : 'no',
        broken ? '–' : ratio(r.perSecond, floor?.perSecond),
        broken ? '–' : cpuRatio(r.cpuPerReconnectMs, floor?.cpuPerReconnectMs),
        target('T9', k),
        thr ? yes(!broken && r.perSecond >= thr && r.missedReplay === 0) : '',
        connectTarget(k),
        broken ? (connectTarget(k) ? yes(false) : '') : connectMet(k, r.perSecond, floor?.perSecond),
      ]);
    }
    s.push(`### T9: reconnect storm with Last-Event-ID\n\nThe 10,000 streams of T6 drop; one change is published to each of the 2,000 accounts; all reconnect with their \`Last-Event-ID\` (512 in flight). Rate = streams ÷ time until the last one received its missed change.\n\n${table(
      ['server', 'streams', 'reconnects/s median (min–max)', 'server CPU ms per reconnect', 'missed changes not replayed', 'generator saturated', '÷ floor', 'CPU ratio', 'target', '', 'issue 15', ''],
      rows,
    )}\n${loadNote(out, 'load', kinds)}\n`);
  }
  // T10
  {
    const rows = [];
    for (const k of kinds) {
      const r = get(out, 'idle', k)?.T10;
      if (!r) continue;
      rows.push([`**${k}**`, int(r.streams), f0(r.seconds), f0(r.cpuMs), f1(r.msPerMinPer1k), int(r.pingsReceived), f1(r.rssPerStreamKiB), target('T10', k), yes(check('T10', k, r.msPerMinPer1k))]);
    }
    const ping = m.quick ? 10 : 30;
    s.push(`### T10: idle CPU with \`ping=${ping}\`\n\n${m.quick ? '2,000' : '10,000'} paused streams per server with \`ping=${ping}\`; the servers' CPU time over the window (all servers measured at once, each its own process on core 0: CPU time is per process).\n\n${table(
      ['server', 'streams', 'window s', 'server CPU ms', 'ms per min per 1,000 streams', 'pings received', 'RSS KiB/stream', 'target', ''],
      rows,
    )}\n${failures(out, 'idle', kinds)}\n`);
  }
  if (analysis) s.push(analysis.trim() + '\n');
  s.push(wsSection(out));
  s.push(busSection(out));
  s.push(webPushSection(out));
  s.push(`## Raw data\n\nEvery figure above, with per-change and per-run detail, is in \`bench/results/\` (one JSON per run; \`latest.json\` is this one).\n`);
  return s.join('\n');
}

// the table helpers, for the WebSocket section (report-ws.mjs)
export { f0, f1, f2, int, spread, ratio, yes, get, table, failures, loadNote };

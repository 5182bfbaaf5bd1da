// Load generator: one process (pinned to its own core by run.mjs), raw sockets, source addresses spread
// over 127.x.y.1, a probe subset read and the rest paused (drained between rounds).
// Usage: node gen.mjs '<json config>'; prints `RESULT <json>` and exits.
import { now, ms, sleep, summary, median, cpuMicros, dieWithParent } from './lib/common.mjs';
import { sseStreams, countOcc } from './lib/sse-streams.mjs';
import { Ctl } from './lib/ctl-client.mjs';
import { backlog, changeRuns, sustainedLatencies } from './lib/change-runs.mjs';

const cfg = JSON.parse(process.argv[2]);
dieWithParent(20 * 60_000);
const HTTP_PORT = cfg.server.http;
const PATH = cfg.path ?? '/jmap/eventsource';
const GEN_START = Date.now();
const log = (...a) => process.stderr.write(`[gen ${cfg.kind}/${cfg.session} +${((Date.now() - GEN_START) / 1000).toFixed(1)}s] ${a.join(' ')}\n`);

// ---------------------------------------------------------------- control channel
const ctl = new Ctl(cfg.server.ctl);

// ---------------------------------------------------------------- streams
const { Conn, openAll, drain, setProbes, waitFor } = sseStreams({ port: HTTP_PORT, path: PATH, addrBlock: cfg.addrBlock ?? 0, log });


// ---------------------------------------------------------------- measurement helpers
const { ids, stats, onePublication, oneBurst, summarize, runs } = changeRuns({ ctl, waitFor, drain, budgetMs: cfg.budgetMs ?? 60_000 });
/** T3/T4: runs of publications to `account`, every run whole even once over budget. */
const publicationRuns = (conns, account, R, P) => runs(conns, R, P, () => onePublication(conns, account), { wholeRuns: true });

// ---------------------------------------------------------------- sessions
const R = cfg.runs ?? 3;
const P = cfg.pubs ?? 5;
const N10K = cfg.n10k ?? 10_000;

async function sessionLoad() {
  // T8: unloaded connects, one at a time, Basic auth.
  const out = {};
  {
    const n = cfg.t8n ?? 200;
    const s0 = await stats();
    const lat = [];
    let fails = 0;
    for (let i = 0; i < n; i++) {
      const c = new Conn(i, 't8~a0', { probe: false });
      await c.open();
      if (c.status === 200) lat.push(ms(c.tHead - c.tStart));
      else fails++;
      c.destroy();
      await sleep(3);
    }
    const s1 = await stats();
    const runs = [];
    const per = Math.floor(lat.length / R);
    for (let r = 0; r < R; r++) runs.push(summary(lat.slice(r * per, (r + 1) * per)));
    log('T8 done');
    out.T8 = { ...summary(lat), fails, runs, p99Min: Math.min(...runs.map((r) => r.p99)), p99Max: Math.max(...runs.map((r) => r.p99)), cpuPerConnectMs: (s1.cpuUs - s0.cpuUs) / 1000 / n };
  }
  // T6: 10k idle streams, 2000 accounts x 5; single-account changes at 100/s on the probe accounts.
  const ACC = N10K / 5;
  const conns = [];
  for (let i = 0; i < N10K; i++) {
    const a = i % ACC;
    conns.push(new Conn(i, `a${a}`, { probe: a % 50 === 0 }));
  }
  out.connect = await openAll(conns);
  log('T6 connected', JSON.stringify(out.connect));
  {
    const probeAccounts = [...new Set(conns.filter((c) => c.probe).map((c) => c.account))];
    const rate = cfg.t6rate ?? 100;
    const count = cfg.t6count ?? 500;
    const runs = [];
    for (let r = 0; r < R; r++) {
      await drain(conns);
      const s0 = await stats();
      const g0 = cpuMicros();
      const start = now();
      const replies = [];
      for (let p = 0; p < count; p++) {
        const due = start + (p / rate) * 1e9;
        const wait = (due - now()) / 1e6;
        if (wait > 1) await sleep(wait);
        const account = probeAccounts[p % probeAccounts.length];
        const k = ids();
        replies.push(ctl.call('publish', { account, k }).then((x) => ({ ...x, k, account })));
      }
      const done = await Promise.all(replies);
      await sleep(300);
      const wall = now() - start;
      const s1 = await stats();
      const lat = [];
      let missing = 0;
      for (const d of done)
        for (const c of conns)
          if (c.probe && c.ok && c.account === d.account) {
            if (c.seen.has(d.k)) lat.push(ms(c.seen.get(d.k) - d.t0));
            else missing++;
          }
      runs.push({
        ...summary(lat),
        missing,
        probes: lat.length + missing,
        received: lat.length,
        cpuMs: (s1.cpuUs - s0.cpuUs) / 1000,
        cpuPerPublishUs: (s1.cpuUs - s0.cpuUs) / count,
        serverBusy: (s1.cpuUs - s0.cpuUs) / 1000 / ms(wall),
        genBusy: (cpuMicros() - g0) / 1000 / ms(wall),
        publications: count,
      });
    }
    log('T6 done');
    out.T6 = { ...summarize(runs), cpuPerPublishUs: median(runs.map((r) => r.cpuPerPublishUs)) };
  }
  // T9: reconnect storm with Last-Event-ID; every stream missed one change of its account.
  {
    const runs = [];
    let current = conns;
    for (let r = 0; r < R; r++) {
      for (const c of current) {
        c.trackIds = true;
        c.resume();
      }
      await drain(current, 100, 5000);
      const noId = current.filter((c) => c.ok && !c.lastId).length;
      const alive = current.filter((c) => c.ok);
      for (const c of current) c.destroy();
      for (let t = 0; t < 100; t++) {
        const s = await stats();
        if ((s.streams ?? s.sockets) === 0) break;
        await sleep(50);
      }
      const kFrom = ids(ACC);
      await ctl.call('burst', { prefix: 'a', from: 0, count: ACC, kFrom });
      const next = alive.map((c, i) => new Conn(i, c.user, { trackIds: true, lastEventId: c.lastId }));
      const waits = next.map((c) => waitFor(kFrom + Number(c.account.slice(1)), 1, 15_000));
      const s0 = await stats();
      const g0 = cpuMicros();
      const t0 = now();
      const opened = await openAll(next, cfg.t9window ?? 512);
      await Promise.all(waits);
      let last = t0;
      let missed = 0;
      for (const c of next) {
        const t = c.seen.get(kFrom + Number(c.account.slice(1)));
        if (t === undefined) missed++;
        else if (t > last) last = t;
      }
      const s1 = await stats();
      runs.push({
        streams: next.length,
        opened: opened.ok,
        statuses: opened.statuses,
        noIdBefore: noId,
        missedReplay: missed,
        seconds: (last - t0) / 1e9,
        perSecond: next.length / ((last - t0) / 1e9),
        cpuMs: (s1.cpuUs - s0.cpuUs) / 1000,
        cpuPerReconnectMs: (s1.cpuUs - s0.cpuUs) / 1000 / next.length,
        genBusy: (cpuMicros() - g0) / 1000 / ms(last - t0),
      });
      log('T9 run', JSON.stringify(runs.at(-1)));
      current = next;
    }
    out.T9 = {
      runs,
      perSecond: median(runs.map((r) => r.perSecond)),
      min: Math.min(...runs.map((r) => r.perSecond)),
      max: Math.max(...runs.map((r) => r.perSecond)),
      missedReplay: runs.reduce((a, r) => a + r.missedReplay, 0),
      cpuPerReconnectMs: median(runs.map((r) => r.cpuPerReconnectMs)),
      genSaturated: runs.some((r) => r.genBusy > 0.9),
    };
    for (const c of current) c.destroy();
  }
  return out;
}

async function sessionOneAccount() {
  // T2 + T3 on 10k streams of account a0, then T1 + T4 at 19.5k.
  const out = {};
  await sleep(300);
  const empty = await stats(true);
  const conns = [];
  for (let i = 0; i < N10K; i++) conns.push(new Conn(i, 'a0', { probe: i % 50 === 0 }));
  out.connect10k = await openAll(conns);
  log('10k connected', JSON.stringify(out.connect10k));
  await drain(conns);
  await sleep(500);
  const full = await stats(true);
  out.T2 = {
    emptyRss: empty.rss,
    rss: full.rss,
    streams: out.connect10k.ok,
    perStreamKiB: (full.rss - empty.rss) / 1024 / out.connect10k.ok,
    heapPerStreamKiB: (full.heapUsed - empty.heapUsed) / 1024 / out.connect10k.ok,
  };
  if (cfg.profileDir) await ctl.call('profStart');
  out.T3 = await publicationRuns(conns, 'a0', R, P);
  if (cfg.profileDir) await ctl.call('profStop', { file: `${cfg.profileDir}/${cfg.kind}-T3-fanout.cpuprofile` });
  log('T3', out.T3.p50, out.T3.p99);
  const total = cfg.maxConns ?? 19_500;
  const more = [];
  for (let i = N10K; i < total; i++) more.push(new Conn(i, 'a0', {}));
  out.connectMore = await openAll(more);
  const all = conns.concat(more);
  await drain(all);
  const s = await stats(true);
  out.T1 = { attempted: total, held: all.filter((c) => c.ok).length, statuses: out.connectMore.statuses, rss: s.rss, serverStreams: s.streams, serverSockets: s.sockets };
  setProbes(all, (c) => c.i % 100 === 0);
  out.T4 = await publicationRuns(all, 'a0', R, P);
  log('T4', out.T4.p50, out.T4.p99);
  for (const c of all) c.destroy();
  return out;
}

async function sessionAccounts() {
  // T5: one change on each of 10k one-stream accounts.
  const out = {};
  const conns = [];
  for (let i = 0; i < N10K; i++) conns.push(new Conn(i, `a${i}`, { probe: i % 50 === 0 }));
  out.connect = await openAll(conns);
  // --profile: the server's CPU profile of the first burst
  const profiled = async (r, p, burst) => {
    if (!cfg.profileDir || r > 0 || p > 0) return burst();
    await ctl.call('profStart');
    const x = await burst();
    await ctl.call('profStop', { file: `${cfg.profileDir}/${cfg.kind}-T5-burst.cpuprofile` });
    return x;
  };
  out.T5 = await runs(conns, R, P, (r, p) => profiled(r, p, () => oneBurst(conns, 'a', N10K)));
  log('T5', out.T5.p50, out.T5.p99);
  for (const c of conns) c.destroy();
  return out;
}

async function sessionSustained() {
  // T7: 10k streams, 100 accounts x 100 streams, every stream reads and counts its frames, 2 probes per
  // account; the server publishes `rate`/s round robin for `seconds`.
  // T11 (cfg.stall): plus 1% more streams (100, account s0) that never read. Loopback absorbs ~4 MB per
  // socket in the kernel, so s0 first gets `stallPrefill` changes with a 4 KB state (filling those kernel
  // buffers), then `stallRate`/s more of them during the run: only then does the server see backpressure.
  const out = {};
  const ACC = cfg.t7accounts ?? 100;
  const conns = [];
  for (let i = 0; i < N10K; i++) {
    const a = i % ACC;
    conns.push(new Conn(i, `a${a}`, { probe: i < 2 * ACC, reading: true }));
  }
  const stalled = [];
  if (cfg.stall) for (let i = 0; i < N10K / 100; i++) stalled.push(new Conn(N10K + i, 'stall~s0', { account: 's0', stalled: true }));
  out.connect = await openAll(conns.concat(stalled));
  for (const c of stalled) c.sock.pause();
  const BIG = { Mailbox: 'M'.repeat(4000) };
  if (cfg.stall) {
    const kFrom = ids(cfg.stallPrefill);
    const r = await ctl.call('repeat', { account: 's0', n: cfg.stallPrefill, kFrom, extra: BIG });
    out.prefill = { seconds: ms(r.tFlush - r.t0) / 1000, cpuMs: r.cpuUs / 1000, maxWritable: r.maxWritable, over64k: r.over64k };
    log('prefill', JSON.stringify(out.prefill));
    await sleep(500);
  }
  await sleep(300);
  const s0 = await stats(true);
  const rate = cfg.t7rate ?? 500;
  const durationMs = (cfg.t7seconds ?? 60) * 1000;
  // the server publishes from kFrom on; how many it made is known after the run
  const kFrom = ids(0);
  const frames = () => conns.reduce((a, c) => a + c.frames, 0);
  const framesBefore = frames();
  const g0 = cpuMicros();
  const tStart = now();
  const samples = [];
  const sampler = setInterval(() => samples.push({ t: (now() - tStart) / 1e9, frames: frames() - framesBefore, genCpuMs: (cpuMicros() - g0) / 1000 }), 1000);
  const side = cfg.stall ? { account: 's0', rate: cfg.stallRate ?? 10, kFrom: 900_000_000, extra: BIG } : undefined;
  const r = await ctl.call('sustain', { rate, durationMs, prefix: 'a', count: ACC, kFrom, extra: cfg.t7extra, side });
  const tEnd = now();
  const genCpuMs = (cpuMicros() - g0) / 1000;
  ids(r.n);
  const readers = conns.filter((c) => c.ok).length;
  const expectedTotal = (r.n / ACC) * readers;
  const lastGrowth = await backlog(frames, framesBefore, expectedTotal);
  clearInterval(sampler);
  const framesTotal = frames() - framesBefore;
  const s1 = await stats(true);
  // latencies of every publication on the probes, per third of the run
  const { all, thirds, missing } = sustainedLatencies(conns, ACC, kFrom, r);
  const runs = thirds.map((x) => summary(x));
  const rss = r.rss;
  const late = rss.filter((x) => x.t >= rss.at(-1).t * 0.2);
  const slope = late.length > 2 ? ((late.at(-1).rss - late[0].rss) / (late.at(-1).t - late[0].t)) * 60 : NaN;
  const windowS = (tEnd - tStart) / 1e9;
  out.sustain = {
    rate,
    seconds: durationMs / 1000,
    aborted: r.aborted,
    publishedSeconds: ms(r.end - r.start) / 1000,
    publications: r.n,
    readers,
    stalled: stalled.length,
    offeredDeliveriesPerSecond: (rate * readers) / ACC,
    deliveredPerSecond: framesTotal / ((lastGrowth - tStart) / 1e9),
    deliveredInWindowPerSecond: (samples.filter((x) => x.t <= windowS).at(-1)?.frames ?? 0) / Math.max(1, Math.floor(windowS)),
    deliveredTotal: framesTotal,
    expectedTotal,
    ...summary(all),
    missing,
    runs,
    p99Min: Math.min(...runs.map((x) => x.p99)),
    p99Max: Math.max(...runs.map((x) => x.p99)),
    serverCpuMs: r.cpuUs / 1000,
    serverBusy: r.cpuUs / 1000 / ms(r.end - r.start),
    maxLagMs: r.maxLagMs,
    genBusy: genCpuMs / ms(tEnd - tStart),
    genSaturated: genCpuMs / ms(tEnd - tStart) > 0.9,
    rssStart: s0.rss,
    rssEnd: s1.rss,
    rssSlopeMiBPerMin: slope / 1048576,
    rssSeries: rss.map((x) => [x.t, x.rss, x.maxWritable, x.over64k, x.sockets]),
    deliveredSeries: samples,
    sockets: { before: s0.sockets, after: s1.sockets, maxWritableAtEnd: r.maxWritable, over64kAtEnd: r.over64k, totalWritableAtEnd: r.totalWritable },
    serverMerges: s1.merges,
    sideChanges: r.sideDone,
  };
  if (cfg.stall) {
    // how the stalled streams ended: resume them and see what arrives (closed by the server or not)
    const before = stalled.filter((c) => c.closed).length;
    let stalledBytes = 0;
    for (const c of stalled) {
      c.sock.on('data', (d) => (stalledBytes += d.length));
      c.sock.resume();
    }
    await sleep(1500);
    out.sustain.stalledClosed = stalled.filter((c) => c.closed).length;
    out.sustain.stalledClosedBeforeResume = before;
    out.sustain.stalledBytesAfterResume = stalledBytes;
  }
  log('sustain', JSON.stringify({ ...out.sustain, rssSeries: undefined, deliveredSeries: undefined, runs: undefined }));
  for (const c of conns.concat(stalled)) c.destroy();
  return out;
}

async function sessionIdle() {
  // T10: idle CPU with ping=30 (paused streams), plus RSS of such streams.
  const out = {};
  const empty = await stats(true);
  const conns = [];
  for (let i = 0; i < N10K; i++) conns.push(new Conn(i, 'a0', { ping: cfg.t10ping ?? 30 }));
  out.connect = await openAll(conns);
  await sleep(500);
  if (cfg.profileDir) await ctl.call('profStart', { intervalUs: 1000 });
  const s0 = await stats(true);
  const g0 = cpuMicros();
  const w = (cfg.t10seconds ?? 60) * 1000;
  await sleep(w);
  const s1 = await stats();
  if (cfg.profileDir) await ctl.call('profStop', { file: `${cfg.profileDir}/${cfg.kind}-T10-idle.cpuprofile` });
  const wall = ms(s1.t - s0.t);
  // count the pings that arrived (read everything once)
  for (const c of conns) c.trackIds = false;
  let pings = 0;
  const PING = Buffer.from('event: ping');
  for (const c of conns) c.sock.removeAllListeners('data').on('data', (d) => (pings += countOcc(d, PING)));
  for (const c of conns) c.sock.resume();
  await sleep(1500);
  out.T10 = {
    streams: out.connect.ok,
    seconds: wall / 1000,
    cpuMs: (s1.cpuUs - s0.cpuUs) / 1000,
    msPerMinPer1k: (s1.cpuUs - s0.cpuUs) / 1000 / (wall / 60_000) / (out.connect.ok / 1000),
    pingsReceived: pings,
    rssPerStreamKiB: (s0.rss - empty.rss) / 1024 / out.connect.ok,
    genBusy: (cpuMicros() - g0) / 1000 / wall,
  };
  for (const c of conns) c.destroy();
  return out;
}

async function sessionConnect() {
  // T2 and the connect rate alone (the T1/T2 table's "connects/s" without T3/T4), repeated: R rounds of
  // N10K streams of `a0` opened 256 at a time, then dropped. Besides the wall-clock rate, the server's CPU
  // time per connect, which a busy machine disturbs less than the rate. `cfg.heapSnapshots`: the server
  // writes a heap snapshot empty and with the first round's streams open (for bench/lib/heap-census.mjs).
  const out = { rounds: [] };
  await sleep(300);
  const empty = await stats(true);
  if (cfg.heapSnapshots) await ctl.call('heapSnapshot', { file: `${cfg.heapSnapshots}/${cfg.kind}-empty.heapsnapshot` });
  for (let r = 0; r < R; r++) {
    const conns = [];
    for (let i = 0; i < N10K; i++) conns.push(new Conn(i, 'a0', {}));
    // --profile: the connects of the second round (JIT warm), alone
    const profiling = cfg.profileDir && r === 1;
    if (profiling) await ctl.call('profStart', { intervalUs: 100 });
    const s0 = await stats();
    const opened = await openAll(conns);
    const s1 = await stats();
    if (profiling) await ctl.call('profStop', { file: `${cfg.profileDir}/${cfg.kind}-connect.cpuprofile` });
    const round = { ...opened, cpuPerConnectMs: (s1.cpuUs - s0.cpuUs) / 1000 / opened.n };
    if (r === 0) {
      await drain(conns);
      await sleep(500);
      const full = await stats(true);
      out.T2 = {
        emptyRss: empty.rss,
        rss: full.rss,
        streams: opened.ok,
        perStreamKiB: (full.rss - empty.rss) / 1024 / opened.ok,
        heapPerStreamKiB: (full.heapUsed - empty.heapUsed) / 1024 / opened.ok,
      };
      if (cfg.heapSnapshots) await ctl.call('heapSnapshot', { file: `${cfg.heapSnapshots}/${cfg.kind}-full.heapsnapshot` });
    }
    out.rounds.push(round);
    log('connect round', JSON.stringify(round));
    for (const c of conns) c.destroy();
    for (let t = 0; t < 200; t++) {
      const s = await stats();
      if ((s.streams ?? s.sockets) === 0 && s.sockets === 0) break;
      await sleep(50);
    }
  }
  out.connect = {
    perSecond: median(out.rounds.map((x) => x.perSecond)),
    min: Math.min(...out.rounds.map((x) => x.perSecond)),
    max: Math.max(...out.rounds.map((x) => x.perSecond)),
    cpuPerConnectMs: median(out.rounds.map((x) => x.cpuPerConnectMs)),
    ok: Math.min(...out.rounds.map((x) => x.ok)),
  };
  return out;
}

const sessions = { connect: sessionConnect, load: sessionLoad, oneAccount: sessionOneAccount, accounts: sessionAccounts, sustained: sessionSustained, idle: sessionIdle };
const t0 = Date.now();
let result;
try {
  result = { ok: true, ...(await sessions[cfg.session]()) };
} catch (e) {
  result = { ok: false, error: String(e && e.stack ? e.stack : e) };
}
result.seconds = (Date.now() - t0) / 1000;
result.genCpuMs = cpuMicros() / 1000;
process.stdout.write('RESULT ' + JSON.stringify(result) + '\n', () => process.exit(0));

// How both stream generators (bench/gen.mjs, bench/ws-gen.mjs) measure changes: one publication waited for on
// its probes, one burst over many accounts, runs of those with a time budget, and the runs' summary. Each change
// carries a unique marker `m<k>`; `ids` hands them out, so a session's other scenarios draw from the same count.
import { now, ms, sleep, summary, median, cpuMicros } from './common.mjs';

/**
 * @param {object} o
 * @param {{ call(op: string, args?: object): Promise<any> }} o.ctl the server's control channel
 * @param {(k: number, expected: number, timeoutMs?: number) => Promise<boolean>} o.waitFor marker receipts
 * @param {(conns: object[]) => Promise<void>} o.drain reads the passive sockets until quiet
 * @param {number} o.budgetMs no new run (nor change, unless `wholeRuns`) starts once a scenario used this
 */
export function changeRuns({ ctl, waitFor, drain, budgetMs }) {
  let kNext = 1;
  /** The first of `count` fresh marker numbers. */
  const ids = (count = 1) => {
    const from = kNext;
    kNext += count;
    return from;
  };
  const stats = (gc = false) => ctl.call('stats', { gc });
  /** Slow servers get fewer runs: no new run starts once a scenario used its time budget. */
  const overBudget = (startMs) => Date.now() - startMs > budgetMs;

  /** One publication to `account`, waited for on its probes; latencies in ms. */
  async function onePublication(conns, account, extra) {
    const probes = conns.filter((c) => c.probe && c.ok && c.account === account);
    const k = ids();
    const g0 = cpuMicros();
    const w0 = now();
    const wait = waitFor(k, probes.length);
    const r = await ctl.call('publish', { account, k, extra });
    const complete = await wait;
    const w1 = now();
    const s = await stats();
    const got = probes.map((c) => (c.seen.has(k) ? ms(c.seen.get(k) - r.t0) : NaN)).filter(Number.isFinite);
    return {
      k,
      probes: probes.length,
      received: got.length,
      complete,
      ...summary(got),
      lat: got,
      flushMs: ms(r.tFlush - r.t0),
      cpuFlushMs: r.cpuFlushUs / 1000,
      cpuMs: (s.cpuUs - r.cpu0) / 1000,
      genBusy: (cpuMicros() - g0) / 1000 / ms(w1 - w0),
    };
  }

  /** A burst: one change on each of `count` accounts `prefix+i`; latencies from the burst's start. */
  async function oneBurst(conns, prefix, count) {
    const kFrom = ids(count);
    const probes = conns.filter((c) => c.probe && c.ok);
    const g0 = cpuMicros();
    const w0 = now();
    const waits = probes.map((c) => waitFor(kFrom + Number(c.account.slice(prefix.length)), 1, 120_000));
    const r = await ctl.call('burst', { prefix, from: 0, count, kFrom });
    await Promise.all(waits);
    const w1 = now();
    const s = await stats();
    const lat = [];
    for (const c of probes) {
      const k = kFrom + Number(c.account.slice(prefix.length));
      if (c.seen.has(k)) lat.push(ms(c.seen.get(k) - r.t0));
    }
    return {
      kFrom,
      probes: probes.length,
      received: lat.length,
      ...summary(lat),
      lat,
      publishLoopMs: ms(r.tCall - r.t0),
      flushMs: ms(r.tFlush - r.t0),
      cpuFlushMs: r.cpuFlushUs / 1000,
      cpuMs: (s.cpuUs - r.cpu0) / 1000,
      genBusy: (cpuMicros() - g0) / 1000 / ms(w1 - w0),
    };
  }

  /** The median run and the spread of the runs; `publishLoopMs` where the runs measured it (bursts). */
  function summarize(runs) {
    return {
      runs,
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      p99Min: Math.min(...runs.map((r) => r.p99)),
      p99Max: Math.max(...runs.map((r) => r.p99)),
      cpuMs: median(runs.map((r) => r.cpuMs)),
      cpuFlushMs: median(runs.map((r) => r.cpuFlushMs)),
      flushMs: median(runs.map((r) => r.flushMs)),
      ...(runs[0]?.publishLoopMs === undefined ? {} : { publishLoopMs: median(runs.map((r) => r.publishLoopMs)) }),
      missing: runs.reduce((a, r) => a + (r.probes - r.received), 0),
      genSaturated: runs.some((r) => r.genBusy > 0.9),
    };
  }

  /**
   * `R` runs of `P` changes, `once(r, p)` each after a drain; a run's figures pool its deliveries. Once over
   * budget no run starts, nor (unless `wholeRuns`) another change of a run. `runStart(r)` / `runEnd(r)` frame
   * each run (a profile of the first, say).
   */
  async function runs(conns, R, P, once, { wholeRuns = false, runStart, runEnd } = {}) {
    const out = [];
    const startMs = Date.now();
    for (let r = 0; r < R && !(r > 0 && overBudget(startMs)); r++) {
      const xs = [];
      await runStart?.(r);
      for (let p = 0; p < P && !(p > 0 && !wholeRuns && overBudget(startMs)); p++) {
        await drain(conns);
        xs.push(await once(r, p));
      }
      await runEnd?.(r);
      const pooled = summary(xs.flatMap((x) => x.lat));
      for (const x of xs) delete x.lat;
      out.push({
        p50: pooled.p50,
        p99: pooled.p99 /* of the run's pooled deliveries */,
        p99Worst: Math.max(...xs.map((x) => x.p99)),
        max: pooled.max,
        cpuMs: median(xs.map((x) => x.cpuMs)),
        cpuFlushMs: median(xs.map((x) => x.cpuFlushMs)),
        flushMs: median(xs.map((x) => x.flushMs)),
        ...(xs[0]?.publishLoopMs === undefined ? {} : { publishLoopMs: median(xs.map((x) => x.publishLoopMs)) }),
        probes: xs.reduce((a, x) => a + x.probes, 0),
        received: xs.reduce((a, x) => a + x.received, 0),
        genBusy: Math.max(...xs.map((x) => x.genBusy)),
        changes: xs,
      });
    }
    return summarize(out);
  }

  return { ids, stats, onePublication, oneBurst, summarize, runs };
}

/**
 * A sustained run's backlog: resolves once `frames()` counts `expected` frames more than `before`, or none more
 * arrived for 1 s; at most 60 s. Resolves with the time (`now()`) the frame count last grew.
 */
export async function backlog(frames, before, expected) {
  let lastCount = frames();
  let lastGrowth = now();
  const waitStart = Date.now();
  while (Date.now() - waitStart < 60_000) {
    await sleep(100);
    const f = frames();
    if (f !== lastCount) {
      lastCount = f;
      lastGrowth = now();
    }
    if (f - before >= expected || now() - lastGrowth > 1e9) break;
  }
  return lastGrowth;
}

/**
 * The probes' latencies of a sustained run (`r`, the server's `sustain` answer: `r.n` changes from marker
 * `kFrom` on, round robin over `accounts` accounts `a<i>`, published at `r.t0s`): all of them, per third of
 * the run, and how many never arrived.
 */
export function sustainedLatencies(conns, accounts, kFrom, r) {
  const thirds = [[], [], []];
  const all = [];
  let missing = 0;
  for (const c of conns) {
    if (!c.probe || !c.ok) continue;
    const a = Number(c.account.slice(1));
    for (let j = a; j < r.n; j += accounts) {
      const t = c.seen.get(kFrom + j);
      if (t === undefined) {
        missing++;
        continue;
      }
      const l = ms(t - r.t0s[j]);
      all.push(l);
      thirds[Math.min(2, Math.floor((3 * j) / r.n))].push(l);
    }
  }
  return { all, thirds, missing };
}

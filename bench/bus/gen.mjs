// Generator of the bus benchmark (T12, issue 15 point 5): node config in, `RESULT <json>` out.
// Sessions:
// - `fanout`: every node holds `accounts × perAccount` streams; the publishing nodes publish round robin
//   over the accounts (each at its share of the rate) in steps of rising rates, then hold the highest rate
//   that met the target. Probes (the first stream of every `probeEvery`-th account on each node) read live
//   and record marker receipts; the other streams stay paused, their kernel buffers absorb the step, and
//   they are drained (frames counted) after it.
// - `noFanout`: one node without streams beside the floor (bench/bus/xread-floor.mjs); the generator
//   itself writes the entries (publishStateChange, what a node's publish writes) at `rate`/s; the CPU time
//   each reader spent per entry, Redis's, and the change log's memory per entry.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { now, ms, sleep, summary, cpuMicros, dieWithParent } from '../lib/common.mjs';
import { Ctl } from '../lib/ctl-client.mjs';
import { changeFor } from '../lib/control.mjs';
import { coreBusyMs, pidCpuMs } from '../lib/bench-process.mjs';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const Redis = require('ioredis');
const cfg = JSON.parse(process.argv[2]);
dieWithParent(20 * 60_000);
const GEN_START = Date.now();
const log = (...a) => process.stderr.write(`[bus-gen ${cfg.label ?? cfg.session} +${((Date.now() - GEN_START) / 1000).toFixed(1)}s] ${a.join(' ')}\n`);
const redis = new Redis({ host: '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT ?? 6379), maxRetriesPerRequest: 2 });
/** Fixed extra states of every change: entries the size of a real one (three types; `Email` is the marker). */
const EXTRA = { Thread: 'sT5f3a9c1e', Mailbox: 'sM8b2e4d70' };
const ctls = (cfg.nodes ?? []).map((n) => new Ctl(n.ctl));

/** Redis's own CPU time (ms) and pid, from INFO: Redis serves other clients too, see machine load. */
async function redisCpu() {
  const info = await redis.info();
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  const pid = field('process_id');
  return { pid, ms: (field('used_cpu_sys') + field('used_cpu_user')) * 1000, procMs: pidCpuMs(pid) };
}

/** Redis's command statistics (calls, usec) of the commands the bus sends; other clients' calls count too. */
async function commandStats() {
  const info = await redis.info('commandstats');
  const out = {};
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+),usec=(\d+)/gm)) out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  return out;
}
const statDelta = (a, b, cmd) => ({ calls: (b[cmd]?.calls ?? 0) - (a[cmd]?.calls ?? 0), usec: (b[cmd]?.usec ?? 0) - (a[cmd]?.usec ?? 0) });

/** A window's CPU counters: every node, Redis, this generator, both cores. */
async function counters(extra = [], nodes = ctls) {
  const stats = await Promise.all([...nodes, ...extra].map((c) => c.call('stats')));
  return { t: now(), stats, redis: await redisCpu(), genUs: cpuMicros(), cores: coreBusyMs() };
}
function busy(a, b) {
  const wallMs = ms(b.t - a.t);
  const cores = Object.keys(b.cores).map((c) => (b.cores[c].busyMs - a.cores[c].busyMs) / wallMs);
  return {
    wallMs,
    nodes: b.stats.map((s, i) => (s.cpuUs - a.stats[i].cpuUs) / 1000 / wallMs),
    nodeCpuMs: b.stats.map((s, i) => (s.cpuUs - a.stats[i].cpuUs) / 1000),
    redis: (b.redis.ms - a.redis.ms) / wallMs,
    redisCpuMs: b.redis.ms - a.redis.ms,
    gen: (b.genUs - a.genUs) / 1000 / wallMs,
    cores,
    machine: cores.reduce((x, y) => x + y, 0),
    // loopback TCP work (the streams' receive side included), charged to no process
    softirq: Object.keys(b.cores).reduce((x, c) => x + (b.cores[c].softirqMs - a.cores[c].softirqMs) / wallMs, 0),
  };
}

const newer = (a, b) => {
  const [am, aq] = a.split('-').map(Number);
  const [bm, bq] = b.split('-').map(Number);
  return am > bm || (am === bm && aq > bq);
};

/** Waits until every reader's `busId` reached `id` (it read every entry), at most `timeoutMs`. */
async function untilRead(readers, id, timeoutMs = 30_000) {
  const start = Date.now();
  for (;;) {
    const ss = await Promise.all(readers.map((c) => c.call('stats')));
    const behind = ss.filter((s) => s.busId !== id && !newer(String(s.busId), id));
    if (!behind.length) return { ok: true, waitedMs: Date.now() - start };
    if (Date.now() - start > timeoutMs) return { ok: false, waitedMs: Date.now() - start, behind: behind.map((s) => s.busId) };
    await sleep(20);
  }
}

// ---------------------------------------------------------------- noFanout
async function sessionNoFanout() {
  const { publishStateChange } = require('jmap-push/redis');
  const floor = new Ctl(cfg.floor.ctl);
  const readers = [...ctls, floor];
  // both readers know where the log ends before the first entry
  for (let i = 0; i < 500; i++) {
    const ss = await Promise.all(readers.map((c) => c.call('stats')));
    if (ss.every((s) => s.busId && s.busId !== '$')) break;
    await sleep(20);
  }
  // what the node retains per entry read: heap and RSS after GC, before and after the window
  const gc0 = await ctls[0].call('stats', { gc: true });
  const rate = cfg.rate;
  const total = Math.floor(rate * cfg.seconds);
  const cs0 = await commandStats();
  const c0 = await counters([floor]);
  const start = now();
  let sent = 0;
  let lastId = '0-0';
  let failed = 0;
  let firstError;
  const pending = new Set();
  // a second heap reading once the replay window (the newest 10,000 changes, kept by design) is full:
  // what grows after it is retained per entry
  const midAt = Math.floor(total * 0.4);
  let gcMid;
  let sentAtMid;
  while (sent < total) {
    if (!gcMid && sent >= midAt) {
      sentAtMid = sent;
      gcMid = await ctls[0].call('stats', { gc: true });
    }
    const due = Math.min(total, Math.floor((ms(now() - start) / 1000) * rate));
    while (sent < due) {
      const k = sent++;
      const p = publishStateChange(redis, `a${k % cfg.accounts}`, changeFor(k, EXTRA), { keyPrefix: cfg.prefix })
        .then((id) => {
          if (newer(id, lastId)) lastId = id;
        })
        .catch((e) => {
          failed++;
          firstError ??= String(e.message);
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(2);
  }
  await Promise.all(pending);
  const writeEnd = now();
  const caughtUp = await untilRead(readers, lastId);
  const c1 = await counters([floor]);
  const cs1 = await commandStats();
  const b = busy(c0, c1);
  const cmd = Object.fromEntries(['multi', 'exec', 'xadd', 'hset', 'xread'].map((c) => [c, statDelta(cs0, cs1, c)]));
  await sleep(200);
  const gc1 = await ctls[0].call('stats', { gc: true });
  const [nodeMs, floorMs] = b.nodeCpuMs;
  const written = sent - failed;
  // the change log's memory per entry at its trimmed length (MAXLEN ~ maxLen), and one account's latest-states hash
  const key = `${cfg.prefix}stream`;
  const xlen = await redis.xlen(key);
  const streamBytes = await redis.memory('USAGE', key, 'SAMPLES', '0');
  const latestBytes = await redis.memory('USAGE', `${cfg.prefix}latest:a1`, 'SAMPLES', '0');
  const sample = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return {
    rate,
    seconds: cfg.seconds,
    entries: written,
    failed,
    firstError,
    writeSeconds: ms(writeEnd - start) / 1000,
    caughtUp,
    nodeCpuMs: nodeMs,
    floorCpuMs: floorMs,
    nodeUsPerEntry: (nodeMs * 1000) / written,
    floorUsPerEntry: (floorMs * 1000) / written,
    nodeEntriesPerCoreSecond: written / (nodeMs / 1000),
    floorEntriesPerCoreSecond: written / (floorMs / 1000),
    redisUsPerEntry: (b.redisCpuMs * 1000) / written,
    // command execution only (INFO commandstats; EXEC's time includes the XADD and HSET it runs), without
    // Redis's network I/O and parsing, which the CPU figure above includes
    redisCommands: cmd,
    redisWriteCommandUs: (cmd.multi.usec + cmd.exec.usec) / written,
    redisReadCommandUsPerEntryPerReader: cmd.xread.usec / written / readers.length,
    genUsPerEntry: (b.gen * b.wallMs * 1000) / written,
    busy: b,
    nodeRss: c1.stats[0].rss,
    retained: {
      heapBefore: gc0.heapUsed,
      heapAfter: gc1.heapUsed,
      rssBefore: gc0.rss,
      rssAfter: gc1.rss,
      heapMiBPer10kEntries: ((gc1.heapUsed - gc0.heapUsed) / 1048576) * (10_000 / written),
      rssMiBPer10kEntries: ((gc1.rss - gc0.rss) / 1048576) * (10_000 / written),
      heapMid: gcMid?.heapUsed,
      entriesAtMid: sentAtMid,
      heapMiBPer10kAfterWindow: gcMid ? ((gc1.heapUsed - gcMid.heapUsed) / 1048576) * (10_000 / (sent - sentAtMid)) : NaN,
    },
    memory: { xlen, streamBytes, bytesPerEntry: streamBytes / xlen, latestHashBytes: latestBytes, sampleEntry: sample[0] },
  };
}

// ---------------------------------------------------------------- fanout
/** A holder process (holder.mjs) with one node's streams; `call` sends a request and resolves with its reply. */
class Holder {
  constructor() {
    this.child = spawn(process.execPath, ['--max-old-space-size=2048', join(HERE, 'holder.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.pending = new Map();
    this.seq = 1;
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line);
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      this.cpuUs = msg.cpuUs;
      if (msg.error) p?.reject(new Error(msg.error));
      else p?.resolve(msg);
    });
  }
  call(op, args = {}) {
    const id = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }
  close() {
    this.child.stdin.end();
  }
}

/**
 * `cfg.groups`: nodes that are measured together (`redis`: the two nodes of one bus; `memory`: the in-memory
 * node), all started at once and stepped in turn at each rate, so a neighbour's load hits both alike.
 */
async function sessionFanout() {
  const { accounts, perAccount, probeEvery } = cfg;
  // one holder process per node: two nodes' 10k streams are more file descriptors than one process may have
  const holders = cfg.nodes.map(() => new Holder());
  const holdersCpuUs = async () => (await Promise.all(holders.map((h) => h.call('seen')))).reduce((a, r) => a + r.cpuUs, 0);
  const opened = [];
  for (const [i, h] of holders.entries()) {
    const r = await h.call('open', { port: cfg.nodes[i].http, accounts, perAccount, probeEvery, addrBlock: (cfg.addrBlock ?? 0) + i });
    opened.push(r);
    log('connected', JSON.stringify(r.connect));
  }
  const streams = opened.map((r) => r.streams);
  await Promise.all(holders.map((h) => h.call('drain')));
  const empty = await Promise.all(ctls.map((c) => c.call('stats', { gc: true })));
  let kNext = 1;
  let profiled = new Set();

  async function step(group, rate, seconds, { gc = false } = {}) {
    const hs = group.nodes.map((i) => holders[i]);
    const cs = group.nodes.map((i) => ctls[i]);
    const ns = group.nodes.map((i) => streams[i]);
    const drainAll = async () => (await Promise.all(hs.map((h) => h.call('drain')))).map((r) => r.frames);
    const frames0 = await drainAll();
    await Promise.all(hs.map((h) => h.call('clear')));
    const pubs = group.publishers;
    const durationMs = seconds * 1000;
    const plans = pubs.map(() => {
      const kFrom = kNext;
      kNext += Math.ceil((rate / pubs.length) * seconds) + 1;
      return kFrom;
    });
    // --profile: the group's first node's CPU profile over its first step at `profileRate` (bench/lib/profile-summary.mjs)
    const profiling = cfg.profileDir && rate === cfg.profileRate && !profiled.has(group.label);
    if (profiling) {
      profiled.add(group.label);
      await cs[0].call('profStart');
    }
    // the hold: heap and RSS after GC at both ends (a 60 s RSS slope shows GC, not a few MiB retained)
    const gc0 = gc ? await Promise.all(cs.map((c) => c.call('stats', { gc: true }))) : undefined;
    const h0 = await holdersCpuUs();
    const c0 = await counters([], cs);
    const results = await Promise.all(
      pubs.map((p, i) => ctls[p].call('sustain', { rate: rate / pubs.length, durationMs, prefix: 'a', count: accounts, kFrom: plans[i], extra: EXTRA })),
    );
    // the last changes' deliveries: until the probes' receipts stop growing for 300 ms (at most 5 s)
    const seen = async () => (await Promise.all(hs.map((h) => h.call('seen')))).reduce((a, r) => a + r.n, 0);
    for (let t = 0, last = -1, stable = 0; t < 250 && stable < 15; t++) {
      const v = await seen();
      stable = v === last ? stable + 1 : 0;
      last = v;
      await sleep(20);
    }
    const c1 = await counters([], cs);
    const h1 = await holdersCpuUs();
    if (profiling) await cs[0].call('profStop', { file: `${cfg.profileDir}/bus-${group.label}-node0-${rate}.cpuprofile` });
    const frames1 = await drainAll();
    const gc1 = gc ? await Promise.all(cs.map((c) => c.call('stats', { gc: true }))) : undefined;
    const receipts = await Promise.all(hs.map((h) => h.call('receipts')));
    const delivered = frames1.map((f, i) => f - frames0[i]);
    const published = results.reduce((a, r) => a + r.n, 0);
    const lat = [];
    const perNode = hs.map(() => []);
    let missing = 0;
    receipts.forEach((rep, ni) => {
      for (const [account, flat] of rep.receipts) {
        const got = new Map();
        for (let i = 0; i < flat.length; i += 2) got.set(flat[i], flat[i + 1]);
        const a = Number(account.slice(1));
        results.forEach((r, pi) => {
          for (let j = a; j < r.n; j += accounts) {
            const t = got.get(plans[pi] + j);
            if (t === undefined) missing++;
            else {
              const l = ms(t - r.t0s[j]);
              lat.push(l);
              perNode[ni].push(l);
            }
          }
        });
      }
    });
    const b = busy(c0, c1);
    // the holders' CPU is the generator's too
    b.gen += (h1 - h0) / 1000 / b.wallMs;
    const rssSlope = group.nodes.map((node) => {
      const pr = pubs.indexOf(node);
      const series = pr >= 0 ? results[pr].rss : [];
      const late = series.filter((x) => x.t >= seconds * 0.2);
      return late.length > 2 ? ((late.at(-1).rss - late[0].rss) / (late.at(-1).t - late[0].t) / 1048576) * 60 : NaN;
    });
    const s = summary(lat);
    const expected = ns.map((n) => (published * n) / accounts);
    const res = {
      rate,
      seconds,
      published,
      aborted: results.some((r) => r.aborted),
      maxLagMs: Math.max(...results.map((r) => r.maxLagMs)),
      ...s,
      perNode: perNode.map((x) => {
        const y = summary(x);
        return { n: y.n, p50: y.p50, p99: y.p99, max: y.max };
      }),
      missing,
      delivered,
      expected,
      deliveriesPerSecondPerNode: expected.map((e) => e / seconds),
      busy: b,
      rssStart: c0.stats.map((x) => x.rss),
      rssEnd: c1.stats.map((x) => x.rss),
      rssSlopeMiBPerMin: rssSlope,
      rssSeries: results.map((r) => r.rss.map((x) => [x.t, x.rss])),
    };
    if (gc) {
      const minutes = (gc1[0].t - gc0[0].t) / 60e9;
      res.afterGc = gc0.map((a, i) => ({
        heapStart: a.heapUsed,
        heapEnd: gc1[i].heapUsed,
        rssStart: a.rss,
        rssEnd: gc1[i].rss,
        heapMiBPerMin: (gc1[i].heapUsed - a.heapUsed) / 1048576 / minutes,
        rssMiBPerMin: (gc1[i].rss - a.rss) / 1048576 / minutes,
      }));
    }
    res.met = !res.aborted && res.missing === 0 && res.p99 <= cfg.p99TargetMs && delivered.every((d, i) => d >= expected[i]);
    log(
      `${group.label} ${rate}/s: p50 ${s.p50?.toFixed(1)} p99 ${s.p99?.toFixed(1)} ms, missing ${missing}, delivered ${delivered.join('/')} of ${expected.join('/')},` +
        ` busy nodes ${b.nodes.map((x) => (100 * x).toFixed(0)).join('/')} % redis ${(100 * b.redis).toFixed(0)} % gen ${(100 * b.gen).toFixed(0)} % machine ${(100 * b.machine).toFixed(0)} %, RSS slope ${rssSlope.map((x) => x.toFixed(1)).join('/')} MiB/min → ${res.met ? 'met' : 'NOT met'}`,
    );
    return res;
  }

  const out = {};
  for (const g of cfg.groups) {
    out[g.label] = {
      ok: true,
      connect: g.nodes.map((i) => opened[i].connect),
      streams: g.nodes.map((i) => streams[i]),
      rssPerStreamKiB: g.nodes.map((i) => empty[i].rss / 1024 / streams[i]),
      steps: [],
      climbing: true,
    };
  }
  // each rate: every group still climbing runs its step in turn; a step that misses runs once more (neighbours
  // on the machine cause single misses); two misses end that group's climb
  const rates = [...new Set(cfg.groups.flatMap((g) => g.steps))].sort((a, b) => a - b);
  for (const rate of rates) {
    for (const g of cfg.groups) {
      const o = out[g.label];
      if (!o.climbing || !g.steps.includes(rate)) continue;
      let r = await step(g, rate, cfg.stepSeconds);
      o.steps.push(r);
      if (!r.met) {
        r.retried = true;
        r = await step(g, rate, cfg.stepSeconds);
        r.retry = true;
        o.steps.push(r);
      }
      if (r.met) o.highestMet = rate;
      else o.climbing = false;
    }
    if (cfg.groups.every((g) => !out[g.label].climbing)) break;
  }
  for (const g of cfg.groups) {
    const o = out[g.label];
    delete o.climbing;
    if (o.highestMet && g.holdSeconds) o.hold = await step(g, o.highestMet, g.holdSeconds, { gc: true });
  }
  await Promise.all(holders.map((h) => h.call('close')));
  for (const h of holders) h.close();
  return { groups: out };
}

const sessions = { noFanout: sessionNoFanout, fanout: sessionFanout };
let result;
try {
  result = { ok: true, ...(await sessions[cfg.session]()) };
} catch (e) {
  result = { ok: false, error: String(e && e.stack ? e.stack : e) };
}
result.seconds = (Date.now() - GEN_START) / 1000;
result.genCpuMs = cpuMicros() / 1000;
redis.disconnect();
process.stdout.write('RESULT ' + JSON.stringify(result) + '\n', () => process.exit(0));

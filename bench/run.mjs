#!/usr/bin/env node
// Benchmark orchestrator: `node bench/run.mjs [--quick] [--servers=floor,naive,sse,direct]
// [--sessions=load,oneAccount,accounts,sustained,stall,idle] [--profile | --profile-all] [--nice=-10]
// [--merge=bench/results/<earlier>.json]` (re-run some sessions into an earlier run's results),
// `node bench/run.mjs --report=bench/results/<run>.json` (rewrite RESULTS.md only).
// Each server runs alone on core 0 (`taskset -c 0`), its load generator on core 1 (`taskset -c 1`).
// Writes bench/results/<date>.json (raw) and bench/RESULTS.md.
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { writeReport } from './lib/report.mjs';
import { coreBusyMs, pidCpuMs, startProcess, stopProcess } from './lib/bench-process.mjs';
import { runBus } from './bus/run-bus.mjs';
import { runWebPush } from './webpush/run-webpush.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, dflt) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const QUICK = flag('quick');
const PROFILE = flag('profile');
const BENCH_T0 = String(process.hrtime.bigint());
// --nice=-10 runs server and generator with a higher priority (root only) on a machine others are using.
const NICE = opt('nice') ? ['nice', '-n', opt('nice')] : [];

/** The servers under test. Adding a transport is one entry. */
const SERVERS = {
  floor: { file: 'servers/floor.mjs', label: 'floor (bare node:http, one Buffer)' },
  naive: { file: 'servers/naive.mjs', label: 'naive @Sse (global Subject, interval pings)' },
  sse: { file: 'servers/module.mjs', args: ['sse'], label: "jmap-push transport: 'sse'", module: true },
  direct: { file: 'servers/module.mjs', args: ['direct'], label: "jmap-push transport: 'direct'", module: true },
  // the Redis Streams bus (redis-server on 127.0.0.1:6379), for the T3 and T6 rows
  'sse-redis': { file: 'servers/module.mjs', args: ['sse', 'redis'], label: "jmap-push 'sse' with the Redis bus", module: true, sessions: ['load', 'oneAccount'] },
  'direct-redis': { file: 'servers/module.mjs', args: ['direct', 'redis'], label: "jmap-push 'direct' with the Redis bus", module: true, sessions: ['load', 'oneAccount'] },
  // the floor of Nest's @Sse pipeline, which `sse` cannot skip (not run by default: --servers=...,sseFloor)
  sseFloor: { file: 'servers/sse-floor.mjs', label: "Nest's @Sse floor (one route, no guard, pipe or filter)", optional: true },
  // what-if, not run by default (--servers=...,floorRaw): the floor writing pre-chunked frames to the socket
  floorRaw: { file: 'servers/floor.mjs', args: ['raw'], label: 'floor writing one pre-chunked Buffer to the socket', optional: true },
  // JMAP over WebSocket (RFC 8887), the W rows (`ws` sessions only): the floor on bare `ws`, the module's endpoint
  wsFloor: { file: 'servers/ws-floor.mjs', label: 'WebSocket floor (bare `ws`, one `send` per socket)', ws: true },
  ws: { file: 'servers/module.mjs', args: ['direct', 'ws'], label: 'jmap-push `webSocket` endpoint, in-memory bus', module: true, ws: true },
  'ws-redis': { file: 'servers/module.mjs', args: ['direct', 'redis', 'ws'], label: 'jmap-push `webSocket` endpoint, Redis bus', module: true, ws: true, sessions: ['wsOneAccount', 'wsStorm'] },
};

// --before=<dir>: the module's servers once more on another build of the library (`<dir>` holds its
// dist, e.g. an earlier commit's `libs/jmap-push/dist`), as `<server>-before`, for before/after figures
// from one run (the report lists them as servers of their own).
if (opt('before')) {
  const dist = opt('before');
  for (const [kind, s] of Object.entries(SERVERS))
    if (s.module && !s.ws) SERVERS[`${kind}-before`] = { ...s, label: `${s.label} (before: ${dist})`, env: { BENCH_JMAP_PUSH_DIST: dist }, optional: true };
}

const T7_RATE = { floor: 500, naive: 300, sse: 300, direct: 500 };
// --quick (under 5 minutes in all): 2,000 streams instead of 10,000 (19,500 held: 4,000), 2 runs of 3 changes,
// 5 s sustained windows, T10 at ping=10 for 11 s, and the servers of QUICK_SERVERS only; the figures are indicative, the ratios to the
// floor in the same run still say where a change moved things.
const QUICK_SERVERS = ['floor', 'sse', 'direct', 'direct-redis', 'wsFloor', 'ws'];
const ES_N = QUICK ? 2000 : 10_000;
const ES_SIZES = { n10k: ES_N, maxConns: QUICK ? 2 * ES_N : 19_500 };
const WS_N = Number(opt('ws-sockets', QUICK ? 2000 : 10_000));
// W4's held load in changes/s over 100 accounts (--ws-rate; 500 = 50,000 deliveries/s at 10,000 sockets)
const WS_RATE = Number(opt('ws-rate', 500));

/** Sessions: one fresh server each; the generator's session runs the named scenarios. */
const SESSIONS = {
  // T2 and connects/s alone, 3 rounds (not in the default set: oneAccount measures both beside T3/T4);
  // --heap-snapshots: the server writes heap snapshots empty and with 10k streams (bench/lib/heap-census.mjs)
  connect: { scenarios: ['T2', 'connect'], optional: true, gen: { session: 'connect', heapSnapshots: flag('heap-snapshots') ? join(HERE, 'results', 'heap') : undefined } },
  load: { scenarios: ['T8', 'T6', 'T9'], gen: { session: 'load', ...ES_SIZES, t8n: QUICK ? 100 : 200, t6count: QUICK ? 200 : 500 } },
  oneAccount: { scenarios: ['T2', 'T3', 'T1', 'T4'], gen: { session: 'oneAccount', ...ES_SIZES } },
  accounts: { scenarios: ['T5'], gen: { session: 'accounts', ...ES_SIZES } },
  // offered: 100 deliveries per publication; 500/s = 50,000 deliveries/s (the `direct` target), 300/s = 30,000/s (`sse`)
  sustained: { scenarios: ['T7'], gen: { session: 'sustained', ...ES_SIZES, t7seconds: QUICK ? 5 : 60 }, perKind: { t7rate: T7_RATE } },
  stall: { scenarios: ['T11'], gen: { session: 'sustained', ...ES_SIZES, stall: true, stallPrefill: 1200, stallRate: 10, t7seconds: QUICK ? 5 : 20 }, perKind: { t7rate: T7_RATE } },
  // quick: ping=10 over 11 s, so its CPU per minute counts about three times the pings of the full run's ping=30
  idle: { scenarios: ['T10'], parallel: true, gen: { session: 'idle', ...ES_SIZES, t10seconds: QUICK ? 11 : 60, t10ping: QUICK ? 10 : 30 } },
  // WebSocket sessions (ws-gen.mjs, `ws` servers only); `--ws-sockets=N` sizes them (quick: 2,000).
  // W4: the held load, then 100,000 deliveries/s offered for the capacity
  wsOneAccount: { ws: true, scenarios: ['W1', 'W2'], key: (r) => r.W2?.p99, gen: { file: 'ws-gen.mjs', session: 'wsOneAccount', sockets: WS_N, maxSockets: QUICK ? 2 * WS_N : 19_500 } },
  wsAccounts: { ws: true, scenarios: ['W3'], key: (r) => r.W3?.p99, gen: { file: 'ws-gen.mjs', session: 'wsAccounts', sockets: WS_N } },
  wsSustained: { ws: true, scenarios: ['W4'], key: (r) => r.W4capacity?.deliveredPerSecond, gen: { file: 'ws-gen.mjs', session: 'wsSustained', sockets: WS_N, seconds: QUICK ? 5 : 60, rate: WS_RATE, capacityDeliveries: 100_000, capacitySeconds: QUICK ? 3 : 10 } },
  wsStorm: { ws: true, scenarios: ['W5'], key: (r) => r.W5?.perSecond, gen: { file: 'ws-gen.mjs', session: 'wsStorm', sockets: WS_N } },
};
const REPEAT = Number(opt('repeat', 1));
/** Of repeated sessions, the one of median `key` (failed ones last), with every repeat's key beside it. */
function medianSession(rs, key) {
  const ok = rs.filter((r) => r.ok && Number.isFinite(key(r))).sort((a, b) => key(a) - key(b));
  const pick = ok.length ? ok[(ok.length - 1) >> 1] : rs[0];
  return { ...pick, repeats: rs.map((r) => (r.ok ? key(r) : null)) };
}
/** Whether server `kind` runs session `name`: WebSocket servers run the WebSocket sessions only, and the reverse. */
const runsSession = (kind, name) => !!SERVERS[kind].ws === !!SESSIONS[name].ws && (!SERVERS[kind].sessions || SERVERS[kind].sessions.includes(name));

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
let addrBlock = 1 + Math.floor(Math.random() * 100);

function lines(stream, onLine) {
  createInterface({ input: stream }).on('line', onLine);
}

async function startServer(kind) {
  const s = SERVERS[kind];
  const nodeArgs = ['--expose-gc'];
  // --profile: the generator has the server profile its fan-out phases (T3, the first T5 burst) through
  // node:inspector; --profile-all: the whole server process (--cpu-prof), connects included.
  if (flag('profile-all')) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(HERE, 'results', 'prof')}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`);
  const server = await startProcess({ file: join(HERE, s.file), args: s.args ?? [], cores: '0', nice: NICE, nodeArgs, env: { BENCH_T0, ...s.env }, name: kind });
  return { ...server, ports: server.ready };
}

const stopServer = stopProcess;

function runGenerator(kind, server, genCfg, timeoutMs) {
  const cfg = { profileDir: PROFILE ? join(HERE, 'results', 'prof') : undefined, budgetMs: QUICK ? 20_000 : 30_000, ...genCfg, kind, server, addrBlock: addrBlock++, runs: QUICK ? 2 : 3, pubs: QUICK ? 3 : 5 };
  const child = spawn('taskset', ['-c', '1', ...NICE, process.execPath, '--max-old-space-size=2048', join(HERE, genCfg.file ?? 'gen.mjs'), JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_T0 },
  });
  return new Promise((resolve) => {
    let result;
    const timer = setTimeout(() => {
      log(`${kind}/${genCfg.session}: generator timed out, killing pid ${child.pid}`);
      child.kill('SIGKILL');
    }, timeoutMs);
    lines(child.stdout, (line) => {
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(result ?? { ok: false, error: `generator exited ${code} without a result` });
    });
  });
}

async function runSession(kind, name) {
  const sess = SESSIONS[name];
  let srv;
  try {
    srv = await startServer(kind);
  } catch (e) {
    return { ok: false, error: String(e.message) };
  }
  const t = Date.now();
  const stat0 = coreBusyMs();
  const genCfg = { ...sess.gen };
  for (const [key, byKind] of Object.entries(sess.perKind ?? {})) genCfg[key] = byKind[kind] ?? byKind.floor;
  const res = await runGenerator(kind, srv.ports, genCfg, 6 * 60_000);
  const serverCpuMs = pidCpuMs(srv.child.pid);
  const stat1 = coreBusyMs();
  await stopServer(srv);
  res.machineLoad = foreignLoad(stat0, stat1, serverCpuMs, res.genCpuMs, (Date.now() - t) / 1000);
  if (res.machineLoad.core0 > 0.1 || res.machineLoad.core1 > 0.1)
    log(`${kind}/${name}: other processes used core 0 ${(100 * res.machineLoad.core0).toFixed(0)}%, core 1 ${(100 * res.machineLoad.core1).toFixed(0)}% of the session`);
  if (!res.ok) res.serverStderr = srv.stderr().slice(-3000);
  log(`${kind}/${name}: ${res.ok ? 'ok' : 'FAILED ' + res.error.split('\n')[0]} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return res;
}

/** Share of each core used by processes other than this session's server (core 0) and generator (core 1). */
function foreignLoad(a, b, serverCpuMs, genCpuMs, seconds) {
  const d = (c) => (b[c] && a[c] ? b[c].busyMs - a[c].busyMs : NaN);
  const soft = (c) => (b[c] && a[c] ? b[c].softirqMs - a[c].softirqMs : NaN);
  const r = (x) => Math.max(0, Math.round(x * 1000) / 1000);
  return {
    seconds,
    core0: r((d(0) - serverCpuMs - soft(0)) / 1000 / seconds),
    core1: r((d(1) - (genCpuMs ?? 0) - soft(1)) / 1000 / seconds),
    softirq0: r(soft(0) / 1000 / seconds),
    softirq1: r(soft(1) / 1000 / seconds),
  };
}

function moduleAvailable(kind) {
  const s = SERVERS[kind];
  if (!s.module) return { ok: true };
  try {
    execFileSync(process.execPath, [join(HERE, s.file), ...(s.args ?? []), '--check'], { stdio: 'pipe', timeout: 30_000, env: { ...process.env, BENCH_T0, ...s.env } });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e.stderr || e.message).trim().split('\n').slice(-3).join(' ') };
  }
}

function machine() {
  const cpus = os.cpus();
  let ver = {};
  for (const p of ['@nestjs/core', '@nestjs/common', '@nestjs/platform-express', 'express', 'rxjs']) {
    try {
      ver[p] = JSON.parse(execFileSync('node', ['-p', `JSON.stringify(require('${p}/package.json').version)`], { cwd: join(HERE, '..') }).toString());
    } catch {
      ver[p] = '?';
    }
  }
  let ulimit = '?';
  try {
    ulimit = execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim();
  } catch {}
  return {
    date: new Date().toISOString(),
    cpu: `${cpus.length} × ${cpus[0]?.model ?? '?'}`,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    versions: ver,
    ulimitHn: ulimit,
    quick: QUICK,
  };
}

/** A quick run never replaces the full run's report: it writes RESULTS-quick.md (not committed). */
const reportFile = (quick) => (quick ? 'RESULTS-quick.md' : 'RESULTS.md');

function analysisText() {
  try {
    return readFileSync(join(HERE, 'ANALYSIS.md'), 'utf8');
  } catch {
    return undefined;
  }
}

async function main() {
  // --report=<results json>: only rewrite RESULTS.md from earlier results
  if (opt('report')) {
    const results = JSON.parse(readFileSync(opt('report'), 'utf8'));
    const report = reportFile(results.machine.quick);
    writeFileSync(join(HERE, report), writeReport(results, analysisText()));
    log(`wrote bench/${report}`);
    return;
  }
  // --ws: the WebSocket servers and sessions only; optional sessions (e.g. the connect profile) run when named
  const wsOnly = (o) => Object.keys(o).filter((k) => !flag('ws') || o[k].ws);
  // --bus: the bus benchmark only (bench/bus/); --webpush: the Web Push rows only (bench/webpush/); either is
  // merged into --merge=<run> or else into the latest results
  const busOnly = flag('bus');
  const webPushOnly = flag('webpush');
  const partOnly = busOnly || webPushOnly;
  const latestFile = join(HERE, 'results', QUICK ? 'latest-quick.json' : 'latest.json');
  const mergeFrom = opt('merge', partOnly && existsSync(latestFile) ? latestFile : undefined);
  const kinds = partOnly ? [] : opt('servers', wsOnly(SERVERS).filter((k) => !SERVERS[k].optional && (!QUICK || QUICK_SERVERS.includes(k))).join(',')).split(',');
  const sessions = partOnly ? [] : opt('sessions', wsOnly(SESSIONS).filter((k) => !SESSIONS[k].optional).join(',')).split(',');
  const started = Date.now();
  let out = { machine: machine(), servers: {}, sessions: {}, skipped: {} };
  // --merge=<results json>: re-run some sessions and replace just those in an earlier run's results
  if (mergeFrom) {
    const base = JSON.parse(readFileSync(mergeFrom, 'utf8'));
    const part = {
      date: out.machine.date,
      sessions: [busOnly && 'T12 (--bus)', webPushOnly && 'P1–P3 (--webpush)'].filter(Boolean),
      servers: [busOnly && 'direct-redis ×2 and direct', webPushOnly && 'the Web Push floor and module'].filter(Boolean),
    };
    out = { ...base, skipped: base.skipped ?? {}, reruns: [...(base.reruns ?? []), partOnly ? part : { date: out.machine.date, sessions, servers: kinds }] };
  }
  const active = [];
  for (const k of kinds) {
    const a = moduleAvailable(k);
    if (a.ok) active.push(k);
    else {
      out.skipped[k] = a.error;
      log(`skipping ${k}: ${a.error}`);
    }
    out.servers[k] = SERVERS[k].label;
  }
  for (const name of sessions) {
    out.sessions[name] ??= {};
    if (SESSIONS[name].parallel) {
      // Idle measurements: every server at once (CPU time is per process; they are idle).
      const ks = active.filter((k) => runsSession(k, name));
      const rs = await Promise.all(ks.map((k) => runSession(k, name)));
      ks.forEach((k, i) => (out.sessions[name][k] = rs[i]));
    } else if (REPEAT > 1 && SESSIONS[name].key) {
      // --repeat=N: the servers' sessions interleaved N times (floor, module, floor, module, ...), so a
      // neighbour's load hits all of them alike; each server keeps its session of median `key`.
      const all = {};
      for (let r = 0; r < REPEAT; r++) for (const k of active) if (runsSession(k, name)) (all[k] ??= []).push(await runSession(k, name));
      for (const [k, rs] of Object.entries(all)) out.sessions[name][k] = medianSession(rs, SESSIONS[name].key);
    } else {
      for (const k of active) if (runsSession(k, name)) out.sessions[name][k] = await runSession(k, name);
    }
  }
  // the bus (T12) and the Web Push rows (P1-P3): each with its flag, both in the default full run
  const fullRun = !(opt('sessions') || opt('servers') || flag('ws'));
  if (busOnly || (fullRun && !webPushOnly)) out.bus = await runBus({ quick: QUICK, benchT0: BENCH_T0, nice: NICE, log, profileDir: PROFILE ? join(HERE, 'results', 'prof') : undefined });
  if (webPushOnly || (fullRun && !busOnly)) out.webpush = await runWebPush({ quick: QUICK, nice: NICE, benchT0: BENCH_T0, log, profileDir: PROFILE ? join(HERE, 'results', 'prof') : undefined });
  if (mergeFrom) out.rerunSeconds = (Date.now() - started) / 1000;
  else out.totalSeconds = (Date.now() - started) / 1000;
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = out.machine.date.replace(/[:.]/g, '-');
  const name = partOnly && !opt('merge') ? `${new Date(started).toISOString().replace(/[:.]/g, '-')}${busOnly ? '-bus' : ''}${webPushOnly ? '-webpush' : ''}${QUICK ? '-quick' : ''}` : mergeFrom ? mergeFrom.split('/').pop().replace(/\.json$/, '') + '-merged' : `${stamp}${QUICK ? '-quick' : ''}`;
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(out, null, 1));
  const report = reportFile(QUICK);
  writeFileSync(join(dir, QUICK ? 'latest-quick.json' : 'latest.json'), JSON.stringify(out, null, 1));
  writeFileSync(join(HERE, report), writeReport(out, analysisText()));
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; wrote bench/${report} and bench/results/${name}.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

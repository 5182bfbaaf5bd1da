// The Web Push rows of issue 15 point 4 (P1-P3): `node bench/webpush/run-webpush.mjs [--quick] [--profile]`
// alone, or `node bench/run.mjs --webpush` (and the default full run), which put the results under
// `webpush` of the results JSON and the "Web Push" section in RESULTS.md (lib/report-webpush.mjs).
// Every session: the push service (jmap-push/testing's FakePushService over HTTPS) pinned to core 1, the
// app or the floor pinned to core 0, each a fresh process; a self-signed P-256 certificate made with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ctl } from '../lib/ctl-client.mjs';
import { startProcess, stopProcess } from '../lib/bench-process.mjs';
import { summary, sleep } from '../lib/common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = 100;
/** Pushes of each run decrypted and checked (VAPID, the change it must carry) after the run. */
const SAMPLE = 200;
const accountsList = Array.from({ length: ACCOUNTS }, (_, i) => `a${i}`);

/** Sizes and windows; quick mode keeps the whole run under ~1.5 minutes. */
export function webPushConfig(quick) {
  return {
    quick,
    subscriptions: quick ? 5_000 : 10_000, // P1 and P2, each of floor and module: subscription i reads `a<i % 100>` and `all`
    p1Rounds: quick ? 2 : 4, // P1: one change on each of the 100 accounts = one push to every subscription
    p2Runs: quick ? 2 : 3, // P2: one change on `all` = one push to every subscription
    p3Subscriptions: 1_000,
    p3Rate: 20, // changes/s round robin over the 100 accounts, during the outage
    p3OutageMs: quick ? 6_000 : 30_000,
    p3RetryAfterSeconds: 5,
    // a deployment's choice; the default 1 h would make recovery after a long outage wait for the next retry
    p3MaxRetryDelayMs: 10_000,
  };
}

function certificate() {
  const dir = mkdtempSync(join(tmpdir(), 'jmap-push-wpbench-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=jmap-push bench', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { dir, key: join(dir, 'key.pem'), cert: join(dir, 'cert.pem') };
}

async function start(core, file, args, env, nice) {
  // WPBENCH_CPU_PROF=<dir>: whole-process CPU profiles of every bench process (what bounds a row)
  const prof = process.env.WPBENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WPBENCH_CPU_PROF}`] : [];
  const p = await startProcess({ file: join(HERE, file), args, cores: String(core), env, nice, nodeArgs: ['--expose-gc', ...prof], name: file });
  return { ...p, ctl: new Ctl(p.ready.ctl) };
}

function stop(p) {
  if (!p) return Promise.resolve();
  p.ctl.close();
  return stopProcess(p);
}

/** Polls the push service until `n` requests arrived since the last `arrivals` (or `timeoutMs`); all of them. */
async function collect(service, n, timeoutMs) {
  const got = [];
  const end = Date.now() + timeoutMs;
  while (got.length < n && Date.now() < end) {
    await sleep(got.length ? 20 : 50);
    const r = await service.ctl.call('arrivals');
    for (const a of r.arrivals) got.push(a);
  }
  return got;
}

/** After a run: a sample of its pushes decrypted and checked against `want(i)` = { account, email } of subscription i. */
async function check(service, sample, want) {
  return service.ctl.call('sample', { sample }).then(({ checked }) => {
    const bad = checked.filter((c) => {
      const w = want(c.i);
      return !c.vapidValid || c.error || c.changed?.[w.account]?.Email !== w.email;
    });
    return { checked: checked.length, bad: bad.length, badExample: bad[0] ?? null };
  });
}

const MS = 1e6;
/** A burst's figures: latency of arrival after t0 (ms), total to the last, the app's CPU µs per push. */
function burstFigures(arrivals, t0, n, cpuUs) {
  const lat = arrivals.map((a) => (a[1] - t0) / MS);
  const s = summary(lat);
  const ok = arrivals.filter((a) => a[2] === 201).length;
  return { n, arrived: arrivals.length, ok, firstMs: s.min, p50: s.p50, p99: s.p99, lastMs: s.max, perSecond: (arrivals.length / s.max) * 1000, cpuUsPerPush: cpuUs / Math.max(1, arrivals.length) };
}


/**
 * P1 and P2 in one session: the floor and the app both up on core 0 (one idles while the other runs), each
 * with its own subscriptions at one push service on core 1, their rounds alternating (floor, module, floor,
 * ...), so a neighbour's load on the machine hits both alike; ratios are taken per pair of rounds.
 */
async function throughputSession(cfg, env, cert, nice, log, profileDir) {
  const service = await start(1, 'push-service.mjs', [cert.key, cert.cert], env, nice);
  let floor;
  let app;
  try {
    floor = await start(0, 'floor.mjs', [JSON.stringify({ ca: cert.cert, connections: 64 })], env, nice);
    app = await start(0, 'app.mjs', [JSON.stringify({ ca: cert.cert })], env, nice);
    const n = cfg.subscriptions;
    const fDevices = (await service.ctl.call('subscribe', { prefix: 'f', n })).devices;
    const mDevices = (await service.ctl.call('subscribe', { prefix: 'm', n })).devices;
    const p1targets = fDevices.map((d, i) => ({ endpoint: d.endpoint, keys: d.keys, account: accountsList[i % ACCOUNTS] }));
    const p2targets = fDevices.map((d) => ({ endpoint: d.endpoint, keys: d.keys, account: 'all' }));
    await app.ctl.call('subscribe', { devices: mDevices.map((d, i) => ({ endpoint: d.endpoint, keys: d.keys, accounts: [accountsList[i % ACCOUNTS], 'all'] })) });
    const q = await app.ctl.call('quiet', { timeoutMs: 60_000 });
    if (!q.quiet) throw new Error('the app did not settle the subscriptions’ verifications');
    let k = 1;
    // warm-up of both, one full round each: connections opened, code optimised, heaps grown
    await floor.ctl.call('run', { targets: p1targets, count: n, kFrom: (k += n) });
    await collect(service, n, 120_000);
    await app.ctl.call('burst', { accounts: accountsList, kFrom: (k += 100) });
    await collect(service, n, 120_000);
    await app.ctl.call('quiet', {});
    await service.ctl.call('sample', {});

    const floorRun = async (targets, want) => {
      const kFrom = (k += n);
      await floor.ctl.call('stats', { gc: true });
      const sv0 = await service.ctl.call('stats', {});
      const res = await floor.ctl.call('run', { targets, count: n, kFrom });
      const arr = await collect(service, n, 120_000);
      const serviceCpuUsPerPush = ((await service.ctl.call('stats', {})).cpuUs - sv0.cpuUs) / n;
      const checked = await check(service, SAMPLE, (i) => want(i, kFrom));
      return { ...burstFigures(arr, res.t0, n, res.cpuUs), statuses: res.statuses, checked, serviceCpuUsPerPush };
    };
    const moduleRun = async (publish, want, label, profile) => {
      await app.ctl.call('stats', { gc: true });
      if (profile) await app.ctl.call('profStart', {});
      const s0 = await app.ctl.call('stats', {});
      const sv0 = await service.ctl.call('stats', {});
      const res = await publish();
      const arr = await collect(service, n, 120_000);
      const s1 = await app.ctl.call('stats', {});
      const serviceCpuUsPerPush = ((await service.ctl.call('stats', {})).cpuUs - sv0.cpuUs) / n;
      if (profile) await app.ctl.call('profStop', { file: join(profileDir, `webpush-${label}.cpuprofile`) });
      await app.ctl.call('quiet', {});
      const checked = await check(service, SAMPLE, want);
      return { ...burstFigures(arr, res.t0, n, s1.cpuUs - s0.cpuUs), rssMiB: s1.rss / 2 ** 20, checked, serviceCpuUsPerPush };
    };
    const fmt = (x) => `${x.perSecond.toFixed(0)} pushes/s, ${x.cpuUsPerPush.toFixed(0)} µs CPU/push (push service ${x.serviceCpuUsPerPush.toFixed(0)} µs; ${x.ok}/${n} answered 201), p50 ${x.p50.toFixed(0)} ms, p99 ${x.p99.toFixed(0)} ms, last ${x.lastMs.toFixed(0)} ms`;
    const f1 = [];
    const m1 = [];
    for (let r = 0; r < cfg.p1Rounds; r++) {
      f1.push(await floorRun(p1targets, (i, kFrom) => ({ account: accountsList[i % ACCOUNTS], email: `m${kFrom + i}` })));
      log(`floor P1 round ${r}: ${fmt(f1.at(-1))}`);
      const kFrom = (k += 100);
      const want = (i) => ({ account: accountsList[i % ACCOUNTS], email: `m${kFrom + (i % ACCOUNTS)}` });
      m1.push(await moduleRun(() => app.ctl.call('burst', { accounts: accountsList, kFrom }), want, 'P1', profileDir && r === 0));
      log(`module P1 round ${r}: ${fmt(m1.at(-1))}`);
    }
    const f2 = [];
    const m2 = [];
    for (let r = 0; r < cfg.p2Runs; r++) {
      f2.push(await floorRun(p2targets, (i, kFrom) => ({ account: 'all', email: `m${kFrom + i}` })));
      log(`floor P2 run ${r}: ${fmt(f2.at(-1))}`);
      const kk = k++;
      m2.push(await moduleRun(() => app.ctl.call('publish', { account: 'all', k: kk }), () => ({ account: 'all', email: `m${kk}` }), 'P2', profileDir && r === 0));
      log(`module P2 run ${r}: ${fmt(m2.at(-1))}`);
    }
    const svc = await service.ctl.call('stats', {});
    return { ok: true, floor: { p1: f1, p2: f2 }, module: { p1: m1, p2: m2 }, serviceConnections: svc.connections };
  } catch (e) {
    return { ok: false, error: String(e.stack ?? e), stderr: (app?.stderr() ?? '').slice(-2000) + (floor?.stderr() ?? '').slice(-2000) + service.stderr().slice(-2000) };
  } finally {
    await stop(app);
    await stop(floor);
    await stop(service);
  }
}

/** P3: the push service answers 429 (with, then without Retry-After) while changes keep coming. */
async function outageSession(cfg, env, cert, nice, log) {
  const service = await start(1, 'push-service.mjs', [cert.key, cert.cert], env, nice);
  const app = await start(0, 'app.mjs', [JSON.stringify({ ca: cert.cert, webPush: { maxRetryDelayMs: cfg.p3MaxRetryDelayMs } })], env, nice);
  try {
    const { devices } = await service.ctl.call('subscribe', { prefix: 'o', n: cfg.p3Subscriptions });
    await service.ctl.call('decode', { on: true });
    const n = devices.length;
    const accountOf = (i) => accountsList[i % ACCOUNTS];
    await app.ctl.call('subscribe', { devices: devices.map((d, i) => ({ endpoint: d.endpoint, keys: d.keys, accounts: [accountOf(i)] })) });
    await app.ctl.call('quiet', { timeoutMs: 30_000 });
    /** the latest state published per account */
    const latestOf = new Map();
    let k = 1;
    const burst = async () => {
      await app.ctl.call('burst', { accounts: accountsList, kFrom: k });
      accountsList.forEach((a, i) => latestOf.set(a, `m${k + i}`));
      k += ACCOUNTS;
    };
    await burst();
    await collect(service, n, 30_000);
    await app.ctl.call('quiet', {});
    const variants = [];
    for (const retryAfter of [cfg.p3RetryAfterSeconds, undefined]) {
      const label = retryAfter === undefined ? '429' : `429, Retry-After: ${retryAfter}`;
      await service.ctl.call('arrivals');
      const before = await app.ctl.call('stats', { gc: true });
      const svc0 = await service.ctl.call('stats', {});
      await service.ctl.call('outage', { answer: { status: 429, ...(retryAfter === undefined ? {} : { retryAfter }) } });
      const tOutage = Date.now();
      const sus = await app.ctl.call('sustain', { accounts: accountsList, rate: cfg.p3Rate, durationMs: cfg.p3OutageMs, kFrom: k });
      for (let i = 0; i < sus.n; i++) latestOf.set(accountsList[i % ACCOUNTS], `m${k + i}`);
      k += sus.n;
      const during = await app.ctl.call('stats', { gc: true });
      const svc1 = await service.ctl.call('stats', {});
      await service.ctl.call('outage', { answer: null });
      const outageSeconds = (Date.now() - tOutage) / 1000;
      const tRecover = Date.now();
      // every subscription's last 201 must carry its account's latest state
      const names = devices.map((d) => d.name);
      let converged = 0;
      let latest;
      const deadline = Date.now() + cfg.p3MaxRetryDelayMs * 2 + 20_000;
      for (;;) {
        latest = (await service.ctl.call('latest', { names })).latest;
        converged = latest.filter((c, i) => c?.[accountOf(i)]?.Email === latestOf.get(accountOf(i))).length;
        if (converged === n || Date.now() > deadline) break;
        await sleep(100);
      }
      const recoverySeconds = (Date.now() - tRecover) / 1000;
      const q = await app.ctl.call('quiet', { timeoutMs: 5_000 });
      const after = await app.ctl.call('stats', { gc: true });
      const svc2 = await service.ctl.call('stats', {});
      const wrong = latest.map((c, i) => (c?.[accountOf(i)]?.Email === latestOf.get(accountOf(i)) ? null : { name: names[i], got: c?.[accountOf(i)] ?? null, want: latestOf.get(accountOf(i)) })).filter(Boolean);
      const requests = (a, b, status) => (b.byStatus[status] ?? 0) - (a.byStatus[status] ?? 0);
      const v = {
        label,
        retryAfter: retryAfter ?? null,
        subscriptions: n,
        changes: sus.n,
        outageSeconds,
        requestsDuringOutage: svc1.total - svc0.total,
        status429: requests(svc0, svc1, 429),
        requestsPerSubscription: (svc1.total - svc0.total) / n,
        requestsAfter: svc2.total - svc1.total,
        converged,
        wrong: wrong.slice(0, 5),
        recoverySeconds,
        quietAfter: q.quiet,
        samples: sus.samples.map((s) => ({ t: s.t, rss: s.rss, heapUsed: s.heapUsed, pushesRetried: s.pushesRetried, pushesMerged: s.pushesMerged })),
        gcHeap: { before: before.heapUsed, during: during.heapUsed, after: after.heapUsed },
        gcRss: { before: before.rss, during: during.rss, after: after.rss },
      };
      variants.push(v);
      log(`module P3 (${label}): ${v.requestsDuringOutage} requests in ${outageSeconds.toFixed(0)} s (${v.requestsPerSubscription.toFixed(1)}/subscription), ${converged}/${n} converged in ${recoverySeconds.toFixed(1)} s; heap after GC ${(before.heapUsed / 2 ** 20).toFixed(1)} → ${(during.heapUsed / 2 ** 20).toFixed(1)} MiB`);
    }
    return { ok: true, variants };
  } catch (e) {
    return { ok: false, error: String(e.stack ?? e), stderr: app.stderr().slice(-2000) + service.stderr().slice(-2000) };
  } finally {
    await stop(app);
    await stop(service);
  }
}

/** Runs P1-P3; `sessions` a subset of throughput (P1, P2), outage (P3). */
export async function runWebPush({ quick = false, nice = [], benchT0, log = console.error, profileDir, sessions = ['throughput', 'outage'] } = {}) {
  const cfg = webPushConfig(quick);
  const env = { ...process.env, BENCH_T0: benchT0 ?? String(process.hrtime.bigint()) };
  const cert = certificate();
  const started = Date.now();
  const out = { config: cfg, sessions: {} };
  try {
    if (sessions.includes('throughput')) out.sessions.throughput = await throughputSession(cfg, env, cert, nice, log, profileDir);
    if (sessions.includes('outage')) out.sessions.outage = await outageSession(cfg, env, cert, nice, log);
  } finally {
    rmSync(cert.dir, { recursive: true, force: true });
  }
  for (const [name, r] of Object.entries(out.sessions)) if (!r.ok) log(`webpush ${name} FAILED: ${r.error.split('\n')[0]}`);
  out.seconds = (Date.now() - started) / 1000;
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const sess = args.find((a) => a.startsWith('--sessions='));
  const out = await runWebPush({
    quick: args.includes('--quick'),
    profileDir: args.includes('--profile') ? join(HERE, '..', 'results', 'prof') : undefined,
    sessions: sess ? sess.slice(11).split(',') : undefined,
    log: (...a) => console.error(`[webpush ${new Date().toISOString().slice(11, 19)}]`, ...a),
  });
  mkdirSync(join(HERE, '..', 'results'), { recursive: true });
  writeFileSync(join(HERE, '..', 'results', 'webpush-latest.json'), JSON.stringify(out, null, 1));
  console.error(`done in ${out.seconds.toFixed(0)} s; bench/results/webpush-latest.json`);
}

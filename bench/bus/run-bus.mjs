// The bus benchmark (T12, issue 15 point 5): `node bench/run.mjs --bus [--quick]` runs it (and the default
// full run, after the other sessions). Three sessions, each with fresh processes:
// - `noFanout`: one node (the module, Redis bus, no streams) pinned to core 0 and the floor, a bare ioredis
//   XREAD loop (xread-floor.mjs), pinned to core 1, both reading the entries the generator writes.
// - `fanout`, two groups of nodes stepped in turn at each rate (so the machine's other load hits both alike):
//   `redis`: two nodes on one bus (shared key prefix), node 0 on core 0, node 1 on core 1, each holding
//   accounts × perAccount streams; both publish, each half the rate; rates step up.
//   `memory`: the same streams and rates on one node with the in-memory bus (core 0): the same fan-out per
//   node without Redis, the floor of the `redis` rate.
// The generator is not pinned: there are only 2 cores, it shares them with the nodes and Redis, and its
// CPU share is reported beside every step.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startProcess, stopProcess } from '../lib/bench-process.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MODULE = join(HERE, '..', 'servers', 'module.mjs');

/** Sizes and rates: full, and `--quick` (under a minute). */
export function busConfig(quick) {
  return quick
    ? { accounts: 200, perAccount: 10, probeEvery: 2, steps: [250, 1000, 2000], stepSeconds: 3, holdSeconds: 6, noFanout: { rate: 5000, seconds: 4 } }
    : { accounts: 1000, perAccount: 10, probeEvery: 4, steps: [100, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000], stepSeconds: 10, holdSeconds: 60, noFanout: { rate: 5000, seconds: 10 } };
}

function runGen(cfg, env, log, timeoutMs = 8 * 60_000) {
  const child = spawn('taskset', ['-c', '0,1', process.execPath, '--max-old-space-size=2048', join(HERE, 'gen.mjs'), JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve) => {
    let result;
    const timer = setTimeout(() => {
      log(`bus/${cfg.label}: generator timed out, killing pid ${child.pid}`);
      child.kill('SIGKILL');
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(result ?? { ok: false, error: `generator exited ${code} without a result` });
    });
  });
}

/** Runs one session: starts `procs` (all at once), then the generator with their READY ports, then stops them. */
async function session(label, procs, genCfg, env, log) {
  const t = Date.now();
  // started together: a Nest boot takes seconds on a busy machine
  const starting = procs.map((p) => startProcess({ ...p, env: { ...env, ...p.env }, name: `${label}/${p.name}` }));
  const settled = await Promise.allSettled(starting);
  const started = settled.filter((x) => x.status === 'fulfilled').map((x) => x.value);
  const failed = settled.find((x) => x.status === 'rejected');
  if (failed) {
    await Promise.all(started.map(stopProcess));
    return { ok: false, error: String(failed.reason?.message ?? failed.reason) };
  }
  log(`bus/${label}: ${started.length} processes ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const readies = started.map((p) => p.ready);
  const res = await runGen({ ...genCfg(readies), label }, env, log);
  if (!res.ok) res.serverStderr = started.map((p) => p.stderr().slice(-2000));
  await Promise.all(started.map(stopProcess));
  log(`bus/${label}: ${res.ok ? 'ok' : 'FAILED ' + String(res.error).split('\n')[0]} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return res;
}

/**
 * @param {object} o
 * @param {boolean} o.quick
 * @param {string} o.benchT0 the run's BENCH_T0 (every process subtracts it from its hrtime)
 * @param {string[]} [o.nice] `nice -n N` prefix
 * @param {(...a: unknown[]) => void} o.log
 */
export async function runBus({ quick, benchT0, nice = [], log, profileDir, profileRate = 1000 }) {
  const c = busConfig(quick);
  const env = { BENCH_T0: benchT0 };
  const base = `jmap-push-bench-bus:${process.pid}:`;
  const node = (name, cores, args, prefix) => ({ file: MODULE, args, cores, nice, name, env: prefix ? { BENCH_REDIS_PREFIX: prefix } : {} });
  const out = { config: c };

  const nf = `${base}nf:`;
  out.noFanout = await session(
    'noFanout',
    [node('node', '0', ['direct', 'redis'], nf), { file: join(HERE, 'xread-floor.mjs'), args: [nf], cores: '1', nice, name: 'floor' }],
    ([n, f]) => ({ session: 'noFanout', nodes: [n], floor: f, prefix: nf, accounts: c.accounts, ...c.noFanout }),
    env,
    log,
  );

  // both buses in one session, stepped in turn at each rate: the same neighbours' load on both
  const fo = `${base}fo:`;
  const fanout = await session(
    'fanout',
    [node('redis0', '0', ['direct', 'redis'], fo), node('redis1', '1', ['direct', 'redis'], fo), node('memory', '0', ['direct'])],
    (readies) => ({
      session: 'fanout',
      nodes: readies,
      groups: [
        { label: 'redis', nodes: [0, 1], publishers: [0, 1], steps: c.steps, holdSeconds: c.holdSeconds },
        { label: 'memory', nodes: [2], publishers: [2], steps: c.steps, holdSeconds: 0 },
      ],
      accounts: c.accounts,
      perAccount: c.perAccount,
      probeEvery: c.probeEvery,
      stepSeconds: c.stepSeconds,
      p99TargetMs: 50,
      profileDir,
      profileRate,
      addrBlock: 1 + Math.floor(Math.random() * 200),
    }),
    env,
    log,
  );
  for (const g of ['redis', 'memory']) out[g] = fanout.ok ? { ...fanout.groups[g], genCpuMs: fanout.genCpuMs } : fanout;
  return out;
}

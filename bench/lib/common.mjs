// Shared helpers of the benchmark processes (servers, generator, orchestrator).
// Times are nanoseconds of process.hrtime.bigint() (CLOCK_MONOTONIC, system-wide on Linux) minus a
// base every process gets from the orchestrator (BENCH_T0), so they fit a double and compare across processes.

export const T0 = BigInt(process.env.BENCH_T0 ?? String(process.hrtime.bigint()));
export const now = () => Number(process.hrtime.bigint() - T0);
export const ms = (ns) => ns / 1e6;
export const sleep = (t) => new Promise((r) => setTimeout(r, t));

/** Exits when the parent closes our stdin (it died or is done) or after a hard lifetime cap. */
export function dieWithParent(maxLifetimeMs = 30 * 60_000, onExit = () => {}) {
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    // onExit may be async (cleanup); it gets at most 5 s
    const t = setTimeout(() => process.exit(code), 5000);
    Promise.resolve()
      .then(onExit)
      .catch(() => {})
      .finally(() => {
        clearTimeout(t);
        process.exit(code);
      });
  };
  process.stdin.on('end', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();
  setTimeout(() => stop(3), maxLifetimeMs).unref();
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function summary(values) {
  const s = Float64Array.from(values).sort();
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s.length ? s[s.length - 1] : NaN,
    min: s.length ? s[0] : NaN,
  };
}

export function median(values) {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const basic = (user, pass = 'pw') => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

/** Accounts a Basic user name grants: `a1+a2` reads a1 and a2; `x~a1` (x anything) reads a1. */
export function accountsOfUser(user) {
  const core = user.includes('~') ? user.slice(user.indexOf('~') + 1) : user;
  return core.split('+');
}

export function cpuMicros(u = process.cpuUsage()) {
  return u.user + u.system;
}

// Child processes of a benchmark that needs several servers at once (bench/bus/): each is started pinned
// to the cores given (`taskset -c`), announces `READY <json>` on stdout and exits when its stdin closes
// (lib/common.mjs dieWithParent). Also the per-process and per-core CPU counters read from /proc.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ of /proc/stat and /proc/<pid>/stat on Linux

/**
 * Starts `node <file> ...args` on `cores` ('0', '1', '0,1'); resolves with { child, ready, stderr() } once
 * it printed `READY <json>` (`ready` is that json), or rejects after `timeoutMs`.
 */
export function startProcess({ file, args = [], cores, env = {}, nice = [], nodeArgs = ['--expose-gc'], timeoutMs = 30_000, name = file }) {
  const child = spawn('taskset', ['-c', cores, ...nice, process.execPath, ...nodeArgs, file, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20000) stderr = stderr.slice(-20000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: no READY in ${timeoutMs / 1000} s\n${stderr}`));
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(line.slice(6)), stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited ${code} before READY\n${stderr.slice(-3000)}`));
    });
  });
}

/** Closes the process's stdin (it cleans up and exits), SIGKILL after 15 s. */
export function stopProcess(p) {
  return new Promise((resolve) => {
    if (!p || p.child.exitCode !== null) return resolve();
    const t = setTimeout(() => {
      p.child.kill('SIGKILL');
      resolve();
    }, 15_000);
    p.child.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.child.stdin.end();
  });
}

/** CPU time (user + system) of a process in ms, from /proc/<pid>/stat; NaN if unreadable. */
export function pidCpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / HZ;
  } catch {
    return NaN;
  }
}

/** Busy ms per core (user+nice+system+irq+softirq+steal) and softirq ms, from /proc/stat. */
export function coreBusyMs() {
  const out = {};
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      const [user, nice, system, , , irq, softirq, steal] = m[2].trim().split(/\s+/).map(Number);
      out[m[1]] = { busyMs: ((user + nice + system + irq + softirq + steal) * 1000) / HZ, softirqMs: (softirq * 1000) / HZ };
    }
  } catch {}
  return out;
}

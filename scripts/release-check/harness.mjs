// What every release-check step shares: where things are, progress, failures, and child processes that the
// check can kill as a whole when it times out.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const libDir = join(repoRoot, 'libs', 'jmap-push');
const verbose = process.argv.includes('--verbose') || process.env.RELEASE_CHECK_VERBOSE === '1';
const startedAt = Date.now();

/** Every child process still running; `killAll()` ends them and their own children. */
export const children = new Set();
let step = 'start';

/** The step running now, for the failure message. */
export function currentStep() {
  return step;
}

export function elapsedSeconds() {
  return ((Date.now() - startedAt) / 1000).toFixed(1);
}

export class CheckError extends Error {
  constructor(message, output) {
    super(message);
    this.output = output;
  }
}

export function log(message) {
  if (verbose) console.error(`release-check: [${elapsedSeconds()} s] ${message}`);
}

export function begin(name) {
  step = name;
  log(name);
}

export function fail(message, output) {
  throw new CheckError(message, output);
}

export function check(condition, message) {
  if (!condition) fail(message);
}

export function killAll() {
  for (const child of children) {
    try {
      // Children run in their own process group (detached), so npm's own children go too.
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(command, args, { cwd, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      children.delete(child);
      reject(new CheckError(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new CheckError(`\`${command} ${args.join(' ')}\` exited with ${code ?? signal}`, `${stdout}\n${stderr}`),
        );
    });
  });
}

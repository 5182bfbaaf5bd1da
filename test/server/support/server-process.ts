import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const REGISTER = join(__dirname, '../../support/typescript-hook.js');

/** A reference server in a process of its own, as `npm start` runs it (`src/main.ts`, from the environment). */
export interface ServerProcess {
  /** The base URL the startup message names. */
  readonly baseUrl: string;
  /** The LMTP port the startup message names; `undefined` when LMTP is off. */
  readonly lmtpPort: number | undefined;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the process to end (the server's shutdown hooks run); answers its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `src/main.ts` in a child `node` with exactly `env` (plus `PATH`: nothing of the test's own
 * environment leaks in) and resolves once it printed its startup message. Rejects with the process's
 * output when it exits first or takes longer than `timeoutMs`.
 */
export function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (): void => {
      // The LMTP line is the message's last.
      const started = /JMAP server on (\S+)[\s\S]*\n {2}LMTP: +(\S+)\n/.exec(output);
      if (!started) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const lmtp = started[2] === 'off' ? undefined : Number(started[2].split(':').pop());
      resolve(runningServer(child, exited, started[1], lmtp, () => output));
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it started:\n${output}`));
    });
  });
}

function runningServer(
  child: ChildProcess,
  exited: Promise<number | null>,
  baseUrl: string,
  lmtpPort: number | undefined,
  output: () => string,
): ServerProcess {
  return {
    baseUrl,
    lmtpPort,
    output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

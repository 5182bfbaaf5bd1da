#!/usr/bin/env node
// Release check: proves the published artifact works, not just the workspace.
//
//   0. `npm install` on a clean clone must leave package-lock.json as committed (scripts/lockfile-check.mjs).
//   1. `npm pack` the library (its prepack does a clean `tsc` build) and inspect the tarball's file list.
//   2. Create a throwaway Nest app in a temporary folder, depending on the tarball and on the versions of the
//      library's required peers (and Express) this repository's lockfile pins; `npm install` it.
//   3. Load both entry points from there (CommonJS and ESM), and type-check a TypeScript consumer against the
//      shipped `.d.ts` files under `node10` and `node16` module resolution, together with the README's
//      examples marked `<!-- compile: NAME -->` (scripts/readme-examples.mjs); then start every Nest module
//      those examples export (`NestFactory.create` + `init()` + `close()`).
//   4. Start a plain-JS app (`JmapPushModule.forRoot`) on a free loopback port in a child process, open the
//      event source over raw HTTP with Basic auth, publish through `StateChangeService`, and expect the
//      `event: state` frame with the right StateChange; then `app.close()` must end the stream.
//
// Usage: node scripts/release-check.mjs [--verbose]   (or RELEASE_CHECK_VERBOSE=1)
// Needs the repository's own dev dependencies (`npm ci`) for `tsc`, and the npm registry for the app.
// Everything is killed after 120 s (RELEASE_CHECK_TIMEOUT_S overrides); temporary folders are always removed
// (RELEASE_CHECK_KEEP=1 keeps them for a look).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEntryPoints, typeCheckConsumer } from './release-check/consumer.mjs';
import { CheckError, currentStep, elapsedSeconds, killAll, log } from './release-check/harness.mjs';
import { runApp } from './release-check/push-check.mjs';
import { bootExamples } from './release-check/readme-boot.mjs';
import { checkLockfile, installApp, packLibrary } from './release-check/tarball.mjs';

const DEADLINE_MS = Number(process.env.RELEASE_CHECK_TIMEOUT_S ?? 120) * 1000;
const keepTemp = process.env.RELEASE_CHECK_KEEP === '1';
const tempDirs = [];
let finished = false;

function cleanUp() {
  killAll();
  for (const dir of tempDirs) {
    if (keepTemp) console.error(`release-check: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function finish(code, message, output) {
  if (finished) return;
  finished = true;
  cleanUp();
  if (code === 0) {
    console.log('release-check: 1 passed, 0 failed');
  } else {
    if (output) console.error(output.trimEnd().split('\n').slice(-60).join('\n'));
    console.error(`release-check: FAILED during "${currentStep()}": ${message}`);
    console.log('release-check: 0 passed, 1 failed');
  }
  process.exit(code);
}

// ----------------------------------------------------------------------------------------------- main

const deadline = setTimeout(
  () => finish(1, `timed out after ${DEADLINE_MS / 1000} s (everything was killed)`),
  DEADLINE_MS,
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => finish(1, `interrupted by ${signal}`));

try {
  const packDir = mkdtempSync(join(tmpdir(), 'jmap-push-pack-'));
  tempDirs.push(packDir);
  const appDir = mkdtempSync(join(tmpdir(), 'jmap-push-app-'));
  tempDirs.push(appDir);

  checkLockfile();
  const tarball = await packLibrary(packDir);
  await installApp(appDir, tarball);
  await loadEntryPoints(appDir);
  const examples = await typeCheckConsumer(appDir);
  await bootExamples(appDir, examples);
  await runApp(appDir);
  clearTimeout(deadline);
  log(`done in ${elapsedSeconds()} s`);
  finish(0);
} catch (error) {
  clearTimeout(deadline);
  finish(
    1,
    error instanceof Error ? error.message : String(error),
    error instanceof CheckError ? error.output : error?.stack,
  );
}

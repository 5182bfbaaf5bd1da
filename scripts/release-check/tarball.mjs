// The published artifact: the lockfile a clean clone installs, the tarball `npm pack` writes, and a throwaway
// app that installs it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockfileDrift } from '../lockfile-check.mjs';
import { cleanNpmEnv, npm } from '../npm-env.mjs';
import { begin, check, fail, libDir, log, repoRoot, run } from './harness.mjs';

function lockedVersion(lock, name) {
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) fail(`package-lock.json pins no version of ${name}`);
  return version;
}

// ---------------------------------------------------------------------------------------------- steps

export function checkLockfile() {
  begin('npm install on a clean clone leaves package-lock.json unchanged');
  const drift = lockfileDrift(repoRoot);
  if (drift) fail(drift);
}

export async function packLibrary(packDir) {
  begin('npm pack (clean build of the library)');
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', packDir], {
    cwd: libDir,
    env: cleanNpmEnv(),
  });
  const start = stdout.indexOf('[');
  let report;
  try {
    report = JSON.parse(stdout.slice(start))[0];
  } catch {
    fail('could not read the JSON report of npm pack', stdout);
  }
  const tarball = join(packDir, report.filename);
  check(existsSync(tarball), `npm pack wrote no ${report.filename}`);

  begin('inspect the tarball');
  const files = report.files.map((file) => file.path);
  for (const required of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/redis/index.js',
    'dist/redis/index.d.ts',
    'dist/testing/index.js',
    'dist/testing/index.d.ts',
  ]) {
    check(files.includes(required), `the tarball lacks ${required}`);
  }
  const unwanted = files.filter(
    (file) =>
      /\.spec\.|\.e2e-spec\.|\.map$|\.tsbuildinfo$|\.ts$(?<!\.d\.ts)/.test(file) ||
      /^(src|test|scripts|node_modules)\//.test(file) ||
      file === 'tsconfig.lib.json',
  );
  check(unwanted.length === 0, `the tarball ships files users must not get: ${unwanted.join(', ')}`);
  const manifest = JSON.parse(readFileSync(join(libDir, 'package.json'), 'utf8'));
  // Each runtime dependency is argued for in the README's Dependencies section: `ws` (RFC 6455 framing),
  // `web-push` (RFC 8291 encryption, RFC 8292 VAPID headers), `undici` (pooled outbound HTTP with a
  // connect-time lookup hook), `ipaddr.js` (address ranges for the SSRF guard). Anything more is argued
  // for there first.
  const expected = ['ipaddr.js', 'undici', 'web-push', 'ws'];
  const runtime = Object.keys(manifest.dependencies ?? {}).sort();
  check(
    JSON.stringify(runtime) === JSON.stringify(expected),
    `the library's runtime dependencies are ${JSON.stringify(runtime)}, expected ${JSON.stringify(expected)}`,
  );
  for (const file of files.filter((name) => name.endsWith('.js'))) {
    check(files.includes(file.replace(/\.js$/, '.d.ts')), `${file} has no .d.ts next to it`);
  }
  log(`tarball ${report.filename}: ${files.length} files, ${report.size} bytes`);
  return tarball;
}

export async function installApp(appDir, tarball) {
  begin('npm install the throwaway app');
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  // The library's required peers (the optional Redis clients are left out on purpose: they must not be
  // needed), and Express for the app to listen on.
  const library = JSON.parse(readFileSync(join(repoRoot, 'libs', 'jmap-push', 'package.json'), 'utf8'));
  const optional = library.peerDependenciesMeta ?? {};
  const peers = [
    ...Object.keys(library.peerDependencies).filter((name) => !optional[name]?.optional),
    '@nestjs/platform-express',
  ];
  const dependencies = Object.fromEntries(peers.map((name) => [name, lockedVersion(lock, name)]));
  dependencies['jmap-push'] = `file:${tarball}`;
  writeFileSync(
    join(appDir, 'package.json'),
    `${JSON.stringify({ name: 'jmap-push-release-check-app', version: '0.0.0', private: true, dependencies }, null, 2)}\n`,
  );
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: appDir,
    env: cleanNpmEnv(),
  });
  const installed = join(appDir, 'node_modules', 'jmap-push');
  check(existsSync(join(installed, 'package.json')), 'jmap-push is not in the app after npm install');
  check(!existsSync(join(appDir, 'node_modules', 'ioredis')), 'ioredis was installed although it is an optional peer');
  check(!existsSync(join(appDir, 'node_modules', 'redis')), 'redis was installed although it is an optional peer');
  for (const dts of ['dist/index.d.ts', 'dist/redis/index.d.ts', 'dist/testing/index.d.ts']) {
    check(existsSync(join(installed, dts)), `the installed package lacks ${dts}`);
  }
}

// Lifecycle helper of `npm pack` / `npm publish` for the jmap-push package (run from libs/jmap-push).
//
//   node scripts/pack.mjs prepack    clean build of dist/ (no stale files), then README.md, LICENSE and
//                                    CHANGELOG.md copied in from the repository root, so the tarball
//                                    carries the same README users read on the repository's front page.
//   node scripts/pack.mjs postpack   removes those copies again (they are git-ignored all the same).
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(packageDir, '..', '..');
const copied = ['README.md', 'LICENSE', 'CHANGELOG.md'];

const step = process.argv[2];
if (step === 'prepack') {
  rmSync(join(packageDir, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(join(packageDir, 'package.json')).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('jmap-push prepack: tsc failed');
    process.exit(build.status ?? 1);
  }
  try {
    for (const file of copied) copyFileSync(join(repoRoot, file), join(packageDir, file));
  } catch (error) {
    for (const file of copied) rmSync(join(packageDir, file), { force: true });
    console.error(`jmap-push prepack: ${error.message}`);
    process.exit(1);
  }
} else if (step === 'postpack') {
  for (const file of copied) rmSync(join(packageDir, file), { force: true });
} else {
  console.error('usage: node scripts/pack.mjs prepack|postpack');
  process.exit(2);
}

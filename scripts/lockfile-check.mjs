#!/usr/bin/env node
// Lockfile check: fails when `npm install` on a clean clone would rewrite package-lock.json.
//
// It copies package.json, package-lock.json, .npmrc and every workspace's package.json into a temporary
// folder, runs `npm install --package-lock-only --offline` there (no node_modules, no network, no scripts: about
// a second) and compares the lockfile npm writes with the committed one. This repository is never written to.
// A lockfile that lacks something package.json asks for fails too: offline, npm cannot resolve it.
//
// Usage: node scripts/lockfile-check.mjs   (the release check runs it as its first step)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { cleanNpmEnv, npm } from './npm-env.mjs';

const FIX = 'run `npm install` and commit package-lock.json';

/** The files npm reads to compute the lockfile, relative to the repository root. */
function lockInputs(repoRoot) {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const workspaces = Array.isArray(manifest.workspaces) ? manifest.workspaces : (manifest.workspaces?.packages ?? []);
  const globbed = workspaces.filter((workspace) => /[*?[{]/.test(workspace));
  if (globbed.length > 0) throw new Error(`workspace globs are not supported here: ${globbed.join(', ')}`);
  const files = [
    'package.json',
    'package-lock.json',
    ...workspaces.map((workspace) => join(workspace, 'package.json')),
  ];
  return [...files, '.npmrc'].filter((file) => file !== '.npmrc' || existsSync(join(repoRoot, file)));
}

/** Names of the lockfile entries that differ between two lockfiles (at most `max`, then a count). */
function changedEntries(committed, written, max = 10) {
  const before = committed.packages ?? {};
  const after = written.packages ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys
    .filter((key) => !isDeepStrictEqual(before[key], after[key]))
    .map((key) => `${key === '' ? '(root)' : key} ${key in before ? (key in after ? 'changed' : 'removed') : 'added'}`);
  for (const field of Object.keys({ ...committed, ...written })) {
    if (field !== 'packages' && !isDeepStrictEqual(committed[field], written[field]))
      changed.push(`"${field}" changed`);
  }
  return changed.length > max ? [...changed.slice(0, max), `and ${changed.length - max} more`] : changed;
}

/**
 * Null when the committed lockfile is what `npm install` would write; otherwise why not, with the fix.
 * Throws when npm itself cannot be run.
 */
export function lockfileDrift(repoRoot, { timeoutMs = 60_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jmap-push-lockfile-'));
  try {
    for (const file of lockInputs(repoRoot)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      copyFileSync(join(repoRoot, file), join(dir, file));
    }
    const args = ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
    const result = spawnSync(npm, [...args, '--loglevel=error'], {
      cwd: dir,
      env: cleanNpmEnv(),
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    if (result.error) throw new Error(`could not run npm: ${result.error.message}`);
    if (result.status !== 0) {
      const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
      return `\`npm ${args.join(' ')}\` failed, so package-lock.json does not cover package.json; ${FIX}.\n${output}`;
    }
    const committed = readFileSync(join(repoRoot, 'package-lock.json'), 'utf8');
    const written = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    if (written === committed) return null;
    const entries = changedEntries(JSON.parse(committed), JSON.parse(written));
    const what = entries.length > 0 ? entries.join('; ') : 'formatting only';
    return `npm install would rewrite package-lock.json (${what}); ${FIX}.`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const drift = lockfileDrift(join(dirname(fileURLToPath(import.meta.url)), '..'));
  if (drift) {
    console.error(`lockfile-check: ${drift}`);
    process.exit(1);
  }
  console.log('lockfile-check: package-lock.json is what npm install writes');
}

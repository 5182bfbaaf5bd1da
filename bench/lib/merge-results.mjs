// Merges the sessions of later runs into an earlier run's results, without running anything:
// `node bench/lib/merge-results.mjs <base.json> <later.json>... > <out.json>`, then
// `node bench/run.mjs --report=<out.json>`. A later run's session replaces the base's for the servers it ran
// (e.g. a `--ws` run into the last full run, or the other way round); each later run is listed as a re-run.
import { readFileSync } from 'node:fs';

const [baseFile, ...later] = process.argv.slice(2);
if (!baseFile || !later.length) {
  console.error('usage: node bench/lib/merge-results.mjs <base.json> <later.json>... > <out.json>');
  process.exit(2);
}
const read = (f) => JSON.parse(readFileSync(f, 'utf8'));
const out = read(baseFile);
out.skipped ??= {};
out.reruns ??= [];
for (const f of later) {
  const r = read(f);
  const kinds = new Set();
  for (const [name, byKind] of Object.entries(r.sessions ?? {})) {
    out.sessions[name] ??= {};
    for (const [k, v] of Object.entries(byKind)) {
      out.sessions[name][k] = v;
      kinds.add(k);
    }
  }
  for (const k of kinds) {
    out.servers[k] = r.servers[k];
    delete out.skipped[k];
  }
  Object.assign(out.skipped, r.skipped ?? {});
  out.reruns.push({ date: r.machine.date, sessions: Object.keys(r.sessions ?? {}), servers: [...kinds], quick: r.machine.quick });
}
process.stdout.write(JSON.stringify(out, null, 1));

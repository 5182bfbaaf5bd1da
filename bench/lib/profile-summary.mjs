// Summarises a V8 .cpuprofile (from `node bench/run.mjs --profile`): self time by function and by
// file, e.g. `node bench/lib/profile-summary.mjs bench/results/prof/sse-*.cpuprofile [top]`.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTime = new Map();
const fileTime = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const url = (cf.url || '(native)').replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm/').replace(/.*\/work\/main\//, '');
  const key = `${cf.functionName || '(anon)'}  ${url}:${cf.lineNumber + 1}`;
  fnTime.set(key, (fnTime.get(key) ?? 0) + us);
  const group = url.startsWith('nm/') ? url.split('/').slice(1, url.includes('@') ? 3 : 2).join('/') : url.startsWith('libs/') ? url : url.startsWith('node:') ? url : cf.functionName.startsWith('(') ? cf.functionName : url || '(native)';
  fileTime.set(group, (fileTime.get(group) ?? 0) + us);
}
const pct = (x) => ((100 * x) / total).toFixed(1).padStart(5) + ' %';
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
console.log('\n-- self time by function');
for (const [k, v] of [...fnTime].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), (v / 1000).toFixed(0).padStart(7), 'ms ', k);
console.log('\n-- self time by file / package');
for (const [k, v] of [...fileTime].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), (v / 1000).toFixed(0).padStart(7), 'ms ', k);

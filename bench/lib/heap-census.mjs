// Heap census: what a process holds per stream, by constructor, from two V8 heap snapshots (an empty
// server and the same server holding N streams), e.g. after `node bench/run.mjs --sessions=connect
// --heap-snapshots --servers=floor,direct`:
//   node bench/lib/heap-census.mjs bench/results/heap/direct-empty.heapsnapshot bench/results/heap/direct-full.heapsnapshot 10000 [top]
// Prints, per (node type, constructor or name), the count and self bytes added per stream, largest first.
import { readFileSync } from 'node:fs';

const [emptyFile, fullFile, nArg, topArg] = process.argv.slice(2);
const perStream = Number(nArg ?? 10000);
const top = Number(topArg ?? 40);

function census(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const nodes = snap.nodes;
  const strings = snap.strings;
  const out = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    // strings, code and numbers by type; objects, closures and arrays by constructor / name
    const name = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' ? strings[nodes[i + iName]] : '';
    const key = `${type} ${name.length > 60 ? name.slice(0, 60) + '…' : name}`;
    const size = nodes[i + iSize];
    total += size;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += size;
    out.set(key, e);
  }
  return { out, total };
}

const a = census(emptyFile);
const b = census(fullFile);
const rows = [];
for (const [key, e] of b.out) {
  const before = a.out.get(key) ?? { count: 0, size: 0 };
  rows.push({ key, count: (e.count - before.count) / perStream, bytes: (e.size - before.size) / perStream });
}
rows.sort((x, y) => y.bytes - x.bytes);
console.log(`heap self size: ${(a.total / 1048576).toFixed(1)} MiB → ${(b.total / 1048576).toFixed(1)} MiB; ${((b.total - a.total) / 1024 / perStream).toFixed(2)} KiB per stream (${perStream} streams)`);
console.log('  bytes/stream  objects/stream  type constructor');
for (const r of rows.slice(0, top)) console.log(`${r.bytes.toFixed(0).padStart(14)}  ${r.count.toFixed(2).padStart(14)}  ${r.key}`);

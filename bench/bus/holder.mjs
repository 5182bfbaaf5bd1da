// One node's streams for the bus generator (bench/bus/gen.mjs): a process of its own, so that two nodes'
// 10k streams each fit under the 20,000 file descriptors a process may hold here. Newline JSON on
// stdin (requests with an `id`) and stdout (replies with that `id`):
// - open { port, accounts, perAccount, probeEvery, addrBlock }: accounts × perAccount streams (probes: the
//   first stream of every probeEvery-th account, read live; the others paused), every frame counted
// - drain: reads the paused streams until quiet; { frames }
// - clear: forgets the probes' receipts
// - receipts: { frames, receipts: [[account, [k, t, k, t, ...]], ...] } of the probes
// - close: drops every stream
// Every reply carries this process's CPU time (cpuUs).
import { createInterface } from 'node:readline';
import { cpuMicros } from '../lib/common.mjs';
import { sseStreams, countOcc } from '../lib/sse-streams.mjs';

const STATE = Buffer.from('event: state');
const log = (...a) => process.stderr.write(`[bus-holder ${process.pid}] ${a.join(' ')}\n`);
let streams;
let conns = [];
let frames = 0;

const ops = {
  async open({ port, accounts, perAccount, probeEvery, addrBlock }) {
    streams = sseStreams({ port, addrBlock, log });
    conns = [];
    for (let r = 0; r < perAccount; r++)
      for (let a = 0; a < accounts; a++) conns.push(new streams.Conn(conns.length, `a${a}`, { probe: r === 0 && a % probeEvery === 0 }));
    const connect = await streams.openAll(conns);
    for (const c of conns) c.sock?.on('data', (d) => (frames += countOcc(d, STATE)));
    return { connect, streams: conns.filter((c) => c.ok).length, probes: conns.filter((c) => c.probe && c.ok).length };
  },
  async drain() {
    await streams.drain(conns, 100, 15_000);
    return { frames };
  },
  clear() {
    for (const c of conns) c.seen.clear();
    return {};
  },
  receipts() {
    const receipts = [];
    for (const c of conns) {
      if (!c.probe || !c.ok) continue;
      const flat = [];
      for (const [k, t] of c.seen) flat.push(k, t);
      receipts.push([c.account, flat]);
    }
    return { frames, receipts };
  },
  seen() {
    let n = 0;
    for (const c of conns) if (c.probe) n += c.seen.size;
    return { n };
  },
  close() {
    for (const c of conns) c.destroy();
    return {};
  },
};

process.stdin.on('end', () => process.exit(0));
createInterface({ input: process.stdin }).on('line', async (line) => {
  const msg = JSON.parse(line);
  let out;
  try {
    out = await ops[msg.op](msg);
  } catch (e) {
    out = { error: String(e && e.stack ? e.stack : e) };
  }
  process.stdout.write(JSON.stringify({ id: msg.id, cpuUs: cpuMicros(), ...out }) + '\n');
});

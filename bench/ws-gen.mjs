// WebSocket load generator (the W rows): like gen.mjs, one process pinned to its own core, raw
// `net.connect` sockets from 127.x.y.1 source addresses, a probe subset read and the rest paused (drained
// between changes). Each socket does the RFC 6455 handshake with `Sec-WebSocket-Protocol: jmap`, then
// sends `WebSocketPushEnable` (RFC 8887 section 4.3.5.2) as a masked text frame; server frames are parsed
// just enough to find their ends (every socket) and read the text of probes' StateChanges.
// Usage: node ws-gen.mjs '<json config>'; prints `RESULT <json>` and exits.
import { randomBytes } from 'node:crypto';
import { now, ms, sleep, summary, median, basic, cpuMicros, dieWithParent } from './lib/common.mjs';
import { Ctl } from './lib/ctl-client.mjs';
import { markerReceipts, openSocket, sourceAddresses } from './lib/receipts.mjs';
import { backlog, changeRuns, sustainedLatencies } from './lib/change-runs.mjs';

const cfg = JSON.parse(process.argv[2]);
dieWithParent(20 * 60_000);
const HTTP_PORT = cfg.server.http;
const PATH = cfg.path ?? '/jmap/ws';
const GEN_START = Date.now();
const log = (...a) => process.stderr.write(`[ws-gen ${cfg.kind}/${cfg.session} +${((Date.now() - GEN_START) / 1000).toFixed(1)}s] ${a.join(' ')}\n`);
const ctl = new Ctl(cfg.server.ctl);

// ---------------------------------------------------------------- sockets
const srcAddr = sourceAddresses(cfg.addrBlock ?? 0);

/** A client frame (RFC 6455 section 5.2): FIN, the opcode, masked with a fresh key, as clients must. */
function clientFrame(opcode, payload) {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + 4);
  head[0] = 0x80 | opcode;
  if (ext === 0) head[1] = 0x80 | len;
  else if (ext === 2) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([head, body]);
}
const pushEnable = (pushState) =>
  clientFrame(0x1, Buffer.from(JSON.stringify({ '@type': 'WebSocketPushEnable', dataTypes: null, ...(pushState ? { pushState } : {}) })));

const PUSH_STATE = /"pushState":"([^"]*)"/g;
const HEAD_END = Buffer.from('\r\n\r\n');
const { waitFor, record, dataAt, drain: drainQuiet } = markerReceipts();

class WsConn {
  constructor(i, user, opts = {}) {
    this.i = i;
    this.user = user;
    this.account = opts.account ?? user;
    this.pushState = opts.pushState;
    this.probe = !!opts.probe; // read and record marker receipts
    this.reading = !!opts.reading; // read (count frames) but do not record markers
    this.trackIds = !!opts.trackIds; // read and keep the last pushState
    this.status = 0;
    this.seen = new Map();
    this.frames = 0;
    this.lastId = undefined;
    this.closed = false;
    this.error = undefined;
    // frame parser: payload bytes left of the current frame, its opcode and (when kept) its parts
    this.head = Buffer.alloc(0);
    this.left = 0;
    this.opcode = 0;
    this.parts = undefined;
  }
  get keepsText() {
    return this.probe || this.trackIds;
  }
  open(timeoutMs = 20_000) {
    const request = () =>
      `GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1:${HTTP_PORT}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Protocol: jmap\r\nAuthorization: ${basic(this.user)}\r\n\r\n`;
    return openSocket(this, { port: HTTP_PORT, localAddress: srcAddr(), timeoutMs, request });
  }
  onData(chunk) {
    const t = now();
    dataAt(t);
    if (this.status === 0) {
      // the handshake's answer; frames may follow it in the same chunk
      const buf = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf(HEAD_END);
      if (end < 0) {
        this.head = buf;
        return;
      }
      this.head = Buffer.alloc(0);
      this.status = Number(buf.latin1Slice(9, 12)) || -1;
      this.tHead = t;
      if (this.status !== 101) {
        this.body = buf.latin1Slice(0, Math.min(buf.length, 600));
        this.sock.destroy();
        this.settle();
        return;
      }
      this.sock.write(pushEnable(this.pushState));
      this.settle();
      if (!this.keepsText && !this.reading) this.sock.pause();
      chunk = buf.subarray(end + 4);
      if (!chunk.length) return;
    }
    this.frameBytes(chunk, t);
  }
  /** RFC 6455 section 5.2, server side: unmasked frames; a header may be split across chunks. */
  frameBytes(chunk, t) {
    if (this.head.length) {
      chunk = Buffer.concat([this.head, chunk]);
      this.head = Buffer.alloc(0);
    }
    let i = 0;
    while (i < chunk.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - i);
        if (this.parts) this.parts.push(chunk.subarray(i, i + n));
        this.left -= n;
        i += n;
        if (this.left === 0) this.endFrame(t);
        continue;
      }
      const avail = chunk.length - i;
      if (avail < 2) {
        this.head = Buffer.from(chunk.subarray(i));
        return;
      }
      let len = chunk[i + 1] & 0x7f;
      let h = 2;
      if (len === 126) {
        if (avail < 4) {
          this.head = Buffer.from(chunk.subarray(i));
          return;
        }
        len = chunk.readUInt16BE(i + 2);
        h = 4;
      } else if (len === 127) {
        if (avail < 10) {
          this.head = Buffer.from(chunk.subarray(i));
          return;
        }
        len = Number(chunk.readBigUInt64BE(i + 2));
        h = 10;
      }
      this.opcode = chunk[i] & 0x0f;
      this.left = len;
      this.parts = this.keepsText || this.opcode >= 8 ? [] : undefined;
      i += h;
      if (len === 0) this.endFrame(t);
    }
  }
  endFrame(t) {
    const op = this.opcode;
    const parts = this.parts;
    this.parts = undefined;
    if (op === 0x1) {
      this.frames++;
      if (!parts) return;
      const s = parts.length === 1 ? parts[0].latin1Slice(0, parts[0].length) : Buffer.concat(parts).latin1Slice();
      record(this.seen, s, t);
      PUSH_STATE.lastIndex = 0;
      let m;
      while ((m = PUSH_STATE.exec(s))) this.lastId = m[1];
    } else if (op === 0x9) {
      // a ping: answer it (the bench's servers send none, but a socket that reads keeps to the protocol)
      this.sock.write(clientFrame(0xa, parts.length ? Buffer.concat(parts) : Buffer.alloc(0)));
    } else if (op === 0x8) {
      this.closeCode = parts.length ? Buffer.concat(parts).readUInt16BE(0) : 1005;
    }
  }
  get ok() {
    return this.status === 101 && !this.closed;
  }
  pause() {
    this.sock?.pause();
  }
  resume() {
    this.sock?.resume();
  }
  destroy() {
    this.sock?.destroy();
  }
}

async function openAll(conns, window = 256) {
  let idx = 0;
  const s0 = await stats();
  const g0 = cpuMicros();
  const t0 = now();
  await Promise.all(
    Array.from({ length: Math.min(window, conns.length) }, async () => {
      while (idx < conns.length) await conns[idx++].open();
    }),
  );
  const t1 = now();
  const genCpuMs = (cpuMicros() - g0) / 1000;
  const s1 = await stats();
  const statuses = {};
  for (const c of conns) {
    const key = c.ok ? 'ok' : c.status ? `http${c.status}` : c.error || (c.closed ? 'closed' : 'none');
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const failed = conns.find((c) => c.status && c.status !== 101);
  if (failed) log('first refusal:', JSON.stringify(failed.body));
  const seconds = (t1 - t0) / 1e9;
  return {
    n: conns.length,
    ok: statuses.ok ?? 0,
    statuses,
    seconds,
    perSecond: conns.length / seconds,
    serverCpuPerConnectMs: (s1.cpuUs - s0.cpuUs) / 1000 / conns.length,
    genBusy: genCpuMs / 1000 / seconds,
  };
}

/**
 * RFC 8887 answers a push enable with nothing: wait until the server counts `n` sockets with push on
 * (its `pushEnabled`), so no change is published before every socket listens.
 */
async function pushEnabled(n, timeoutMs = 30_000) {
  const t0 = now();
  const start = Date.now();
  let s;
  while (Date.now() - start < timeoutMs) {
    s = await stats();
    if (s.pushEnabled >= n) return { seconds: (now() - t0) / 1e9, pushEnabled: s.pushEnabled };
    await sleep(20);
  }
  throw new Error(`only ${s?.pushEnabled} of ${n} sockets enabled push within ${timeoutMs} ms`);
}

const passive = (c) => !c.probe && !c.reading && !c.trackIds;

/** Resume every paused socket, read until quiet, pause them again (between rounds). */
const drain = (conns, quietMs, maxMs) => drainQuiet(conns, passive, quietMs, maxMs);

function setProbes(conns, pred) {
  for (const c of conns) {
    const p = pred(c);
    if (p && !c.probe) {
      c.probe = true;
      c.resume();
    } else if (!p && c.probe) {
      c.probe = false;
      c.pause();
    }
  }
}

// ---------------------------------------------------------------- measurement helpers
const { ids, stats, onePublication, oneBurst, runs: changeRunsOf } = changeRuns({ ctl, waitFor, drain, budgetMs: cfg.budgetMs ?? 60_000 });
/** Runs of `P` changes (`once` each); --profile: the server's CPU profile of the first run (drains included: they are idle time). */
const runs = (conns, R, P, once) =>
  changeRunsOf(conns, R, P, once, {
    runStart: (r) => (cfg.profileDir && r === 0 ? ctl.call('profStart') : undefined),
    runEnd: (r) => (cfg.profileDir && r === 0 ? ctl.call('profStop', { file: `${cfg.profileDir}/${cfg.kind}-${cfg.session}.cpuprofile` }) : undefined),
  });

// ---------------------------------------------------------------- sessions
const R = cfg.runs ?? 3;
const P = cfg.pubs ?? 5;
const N = cfg.sockets ?? 10_000;
const probeEvery = Math.max(1, Math.round(N / 200));

async function sessionOneAccount() {
  // W1 (RSS per idle socket at N, then sockets held up to `maxSockets`) and W2 (one change to N sockets of a0).
  const out = {};
  await sleep(300);
  const empty = await stats(true);
  const conns = [];
  for (let i = 0; i < N; i++) conns.push(new WsConn(i, 'a0', { probe: i % probeEvery === 0 }));
  out.connect = await openAll(conns);
  out.enabled = await pushEnabled(out.connect.ok);
  log('connected', JSON.stringify(out.connect), JSON.stringify(out.enabled));
  await drain(conns);
  await sleep(500);
  const full = await stats(true);
  out.W1 = {
    emptyRss: empty.rss,
    rss: full.rss,
    sockets: out.connect.ok,
    perSocketKiB: (full.rss - empty.rss) / 1024 / out.connect.ok,
    heapPerSocketKiB: (full.heapUsed - empty.heapUsed) / 1024 / out.connect.ok,
  };
  out.W2 = await runs(conns, R, P, () => onePublication(conns, 'a0'));
  log('W2', out.W2.p50, out.W2.p99);
  const total = cfg.maxSockets ?? 19_500;
  const more = [];
  for (let i = N; i < total; i++) more.push(new WsConn(i, 'a0'));
  out.connectMore = await openAll(more);
  const all = conns.concat(more);
  let enabledAll;
  try {
    enabledAll = await pushEnabled(all.filter((c) => c.ok).length);
  } catch (e) {
    enabledAll = { error: String(e.message) };
  }
  await drain(all);
  const s = await stats(true);
  out.held = { attempted: total, held: all.filter((c) => c.ok).length, statuses: out.connectMore.statuses, rss: s.rss, serverSockets: s.streams, pushEnabled: s.pushEnabled, enabledAll };
  log('held', JSON.stringify(out.held));
  for (const c of all) c.destroy();
  return out;
}

async function sessionAccounts() {
  // W3: one change on each of N one-socket accounts, published in one loop.
  const out = {};
  const conns = [];
  for (let i = 0; i < N; i++) conns.push(new WsConn(i, `a${i}`, { probe: i % probeEvery === 0 }));
  out.connect = await openAll(conns);
  out.enabled = await pushEnabled(out.connect.ok);
  out.W3 = await runs(conns, R, P, () => oneBurst(conns, 'a', N));
  log('W3', out.W3.p50, out.W3.p99);
  for (const c of conns) c.destroy();
  return out;
}

async function sessionSustained() {
  // W4: N sockets, `ACC` accounts, every socket reads and counts its frames, 2 probes per account; the
  // server publishes `rate`/s round robin for `seconds` (lib/control.mjs `sustain`): the held load, RSS
  // flat or not. Then the capacity: `capacityDeliveries`/s offered for `capacitySeconds`, until the server
  // falls 2 s behind; what it delivered in that time is what it can sustain.
  const out = {};
  const ACC = cfg.accounts ?? 100;
  const conns = [];
  for (let i = 0; i < N; i++) conns.push(new WsConn(i, `a${i % ACC}`, { probe: i < 2 * ACC, reading: true }));
  out.connect = await openAll(conns);
  out.enabled = await pushEnabled(out.connect.ok);
  await sleep(300);
  out.W4 = await sustainRun(conns, ACC, cfg.rate ?? 500, (cfg.seconds ?? 60) * 1000);
  log('W4', JSON.stringify({ ...out.W4, rssSeries: undefined, deliveredSeries: undefined, runs: undefined }));
  if (cfg.capacityDeliveries) {
    await sleep(1000);
    const rate = Math.ceil((cfg.capacityDeliveries * ACC) / out.W4.readers);
    out.W4capacity = await sustainRun(conns, ACC, rate, (cfg.capacitySeconds ?? 10) * 1000);
    delete out.W4capacity.rssSeries;
    log('W4 capacity', JSON.stringify({ ...out.W4capacity, deliveredSeries: undefined, runs: undefined }));
  }
  for (const c of conns) c.destroy();
  return out;
}

async function sustainRun(conns, ACC, rate, durationMs) {
  const s0 = await stats(true);
  const readers = conns.filter((c) => c.ok).length;
  // the server publishes from kFrom on; how many it made is known after the run
  const kFrom = ids(0);
  const frames = () => conns.reduce((a, c) => a + c.frames, 0);
  const framesBefore = frames();
  const g0 = cpuMicros();
  const tStart = now();
  const samples = [];
  const sampler = setInterval(() => samples.push({ t: (now() - tStart) / 1e9, frames: frames() - framesBefore, genCpuMs: (cpuMicros() - g0) / 1000 }), 1000);
  const r = await ctl.call('sustain', { rate, durationMs, prefix: 'a', count: ACC, kFrom });
  const tEnd = now();
  const genCpuMs = (cpuMicros() - g0) / 1000;
  ids(r.n);
  const expectedTotal = (r.n / ACC) * readers;
  const lastGrowth = await backlog(frames, framesBefore, expectedTotal);
  clearInterval(sampler);
  const framesTotal = frames() - framesBefore;
  const s1 = await stats(true);
  // latencies of every publication on the probes, per third of the run
  const { all, thirds, missing } = sustainedLatencies(conns, ACC, kFrom, r);
  const thirdSummaries = thirds.map((x) => summary(x));
  const late = r.rss.filter((x) => x.t >= r.rss.at(-1).t * 0.2);
  const slope = late.length > 2 ? ((late.at(-1).rss - late[0].rss) / (late.at(-1).t - late[0].t)) * 60 : NaN;
  return {
    rate,
    seconds: durationMs / 1000,
    aborted: r.aborted,
    publishedSeconds: ms(r.end - r.start) / 1000,
    publications: r.n,
    readers,
    accounts: ACC,
    offeredDeliveriesPerSecond: (rate * readers) / ACC,
    deliveredPerSecond: framesTotal / ((lastGrowth - tStart) / 1e9),
    deliveredTotal: framesTotal,
    expectedTotal,
    ...summary(all),
    missing,
    runs: thirdSummaries,
    p99Min: Math.min(...thirdSummaries.map((x) => x.p99)),
    p99Max: Math.max(...thirdSummaries.map((x) => x.p99)),
    serverCpuMs: r.cpuUs / 1000,
    serverBusy: r.cpuUs / 1000 / ms(r.end - r.start),
    cpuPerDeliveryUs: r.cpuUs / Math.max(1, (r.n / ACC) * readers),
    maxLagMs: r.maxLagMs,
    genBusy: genCpuMs / ms(tEnd - tStart),
    genSaturated: genCpuMs / ms(tEnd - tStart) > 0.9,
    rssStart: s0.rss,
    rssEnd: s1.rss,
    rssSlopeMiBPerMin: slope / 1048576,
    rssSeries: r.rss.map((x) => [x.t, x.rss, x.maxWritable, x.over64k, x.sockets]),
    deliveredSeries: samples,
    serverMerges: s1.merges,
  };
}

async function sessionStorm() {
  // W5: N sockets (N/5 accounts × 5) drop; one change is published to each account; all reconnect and
  // send `WebSocketPushEnable` with the `pushState` they last had (512 in flight). Rate = sockets ÷ time
  // until the last one received its missed change.
  const out = {};
  const ACC = Math.max(1, Math.floor(N / 5));
  let current = [];
  for (let i = 0; i < N; i++) current.push(new WsConn(i, `a${i % ACC}`, { trackIds: true }));
  out.connect = await openAll(current);
  out.enabled = await pushEnabled(out.connect.ok);
  log('connected', JSON.stringify(out.connect), JSON.stringify(out.enabled));
  // every socket gets a pushState to resume from: a first change on each account
  {
    const kFrom = ids(ACC);
    await ctl.call('burst', { prefix: 'a', from: 0, count: ACC, kFrom });
  }
  const rs = [];
  for (let r = 0; r < R; r++) {
    await drain(current, 100, 5000);
    const noId = current.filter((c) => c.ok && !c.lastId).length;
    const alive = current.filter((c) => c.ok);
    for (const c of current) c.destroy();
    for (let t = 0; t < 200; t++) {
      const s = await stats();
      if (s.streams === 0) break;
      await sleep(50);
    }
    const kFrom = ids(ACC);
    await ctl.call('burst', { prefix: 'a', from: 0, count: ACC, kFrom });
    const next = alive.map((c, i) => new WsConn(i, c.user, { trackIds: true, pushState: c.lastId }));
    const waits = next.map((c) => waitFor(kFrom + Number(c.account.slice(1)), 1, 15_000));
    const s0 = await stats();
    const g0 = cpuMicros();
    if (cfg.profileDir && r === 0) await ctl.call('profStart');
    const t0 = now();
    const opened = await openAll(next, cfg.stormWindow ?? 512);
    await Promise.all(waits);
    if (cfg.profileDir && r === 0) await ctl.call('profStop', { file: `${cfg.profileDir}/${cfg.kind}-${cfg.session}.cpuprofile` });
    let last = t0;
    let missed = 0;
    for (const c of next) {
      const t = c.seen.get(kFrom + Number(c.account.slice(1)));
      if (t === undefined) missed++;
      else if (t > last) last = t;
    }
    const s1 = await stats();
    rs.push({
      sockets: next.length,
      opened: opened.ok,
      statuses: opened.statuses,
      noIdBefore: noId,
      missedReplay: missed,
      seconds: (last - t0) / 1e9,
      perSecond: next.length / ((last - t0) / 1e9),
      cpuMs: (s1.cpuUs - s0.cpuUs) / 1000,
      cpuPerReconnectMs: (s1.cpuUs - s0.cpuUs) / 1000 / next.length,
      genBusy: (cpuMicros() - g0) / 1000 / ms(last - t0),
    });
    log('W5 run', JSON.stringify(rs.at(-1)));
    current = next;
  }
  out.W5 = {
    runs: rs,
    perSecond: median(rs.map((r) => r.perSecond)),
    min: Math.min(...rs.map((r) => r.perSecond)),
    max: Math.max(...rs.map((r) => r.perSecond)),
    missedReplay: rs.reduce((a, r) => a + r.missedReplay, 0),
    cpuPerReconnectMs: median(rs.map((r) => r.cpuPerReconnectMs)),
    genSaturated: rs.some((r) => r.genBusy > 0.9),
  };
  for (const c of current) c.destroy();
  return out;
}

const sessions = { wsOneAccount: sessionOneAccount, wsAccounts: sessionAccounts, wsSustained: sessionSustained, wsStorm: sessionStorm };
const t0 = Date.now();
let result;
try {
  result = { ok: true, ...(await sessions[cfg.session]()) };
} catch (e) {
  result = { ok: false, error: String(e && e.stack ? e.stack : e) };
}
result.seconds = (Date.now() - t0) / 1000;
result.genCpuMs = cpuMicros() / 1000;
process.stdout.write('RESULT ' + JSON.stringify(result) + '\n', () => process.exit(0));

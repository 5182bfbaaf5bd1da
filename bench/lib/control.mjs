// Control channel of every benchmark server: newline-delimited JSON over TCP on 127.0.0.1.
// The generator asks the server to publish (timestamps taken just before the publish call) and to
// report its CPU time, RSS and the sockets' unsent bytes. Kept out of the streams' HTTP server.
import net from 'node:net';
import { Session } from 'node:inspector';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { now, cpuMicros } from './common.mjs';

export const changeFor = (k, extra) => (extra ? { Email: `m${k}`, ...extra } : { Email: `m${k}` });

const flushed = () => new Promise((r) => setImmediate(() => setImmediate(r)));

/**
 * @param {object} o
 * @param {(accountId: string, changed: Record<string,string>) => unknown} o.publish
 * @param {import('node:http').Server} o.httpServer the server holding the streams
 */
export function startControl({ publish, httpServer, info = {} }) {
  const sockets = new Set();
  httpServer.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  function socketStats() {
    let max = 0;
    let total = 0;
    let over64k = 0;
    for (const s of sockets) {
      const w = s.writableLength;
      total += w;
      if (w > max) max = w;
      if (w > 65536) over64k++;
    }
    return { sockets: sockets.size, maxWritable: max, totalWritable: total, over64k };
  }

  function stats(gc) {
    if (gc && global.gc) {
      global.gc();
      global.gc();
    }
    const m = process.memoryUsage();
    return {
      t: now(),
      cpuUs: cpuMicros(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      ...socketStats(),
      ...info,
    };
  }

  async function runPublish(account, k, extra) {
    const cpu0 = cpuMicros();
    const t0 = now();
    const r = publish(account, changeFor(k, extra));
    const tCall = now();
    if (r && typeof r.then === 'function') await r;
    await flushed();
    return { t0, tCall, tFlush: now(), cpuFlushUs: cpuMicros() - cpu0, cpu0 };
  }

  async function runBurst({ prefix, from = 0, count, kFrom, extra }) {
    const cpu0 = cpuMicros();
    const t0 = now();
    const pending = [];
    for (let i = 0; i < count; i++) {
      const r = publish(prefix + (from + i), changeFor(kFrom + i, extra));
      if (r && typeof r.then === 'function') pending.push(r);
    }
    const tCall = now();
    await Promise.all(pending);
    await flushed();
    return { t0, tCall, tFlush: now(), cpuFlushUs: cpuMicros() - cpu0, cpu0 };
  }

  async function runRepeat({ account, n, kFrom, extra }) {
    const cpu0 = cpuMicros();
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const r = publish(account, changeFor(kFrom + i, extra));
      if (r && typeof r.then === 'function') await r;
      // let the server breathe (and write) every 50 publications, like a busy host would
      if (i % 50 === 49) await flushed();
    }
    await flushed();
    return { t0, tFlush: now(), cpuUs: cpuMicros() - cpu0, ...socketStats() };
  }

  /**
   * Publishes `rate`/s round robin over `count` accounts for `durationMs`, timestamps kept per publication;
   * `side` adds `side.rate`/s to one more account. Gives up when it lags `abortLagMs` behind (overloaded).
   */
  function runSustain({ rate, durationMs, prefix, count, kFrom, extra, side, abortLagMs = 2000 }) {
    return new Promise((resolve) => {
      const total = Math.floor((rate * durationMs) / 1000);
      const t0s = new Array(total);
      const rss = [];
      const cpu0 = cpuMicros();
      const start = now();
      let done = 0;
      let maxLagMs = 0;
      let lastSample = -1;
      let sideDone = 0;
      const tick = () => {
        const t = now();
        const el = t - start;
        const sec = Math.floor(el / 1e9);
        if (sec !== lastSample) {
          lastSample = sec;
          rss.push({ t: el / 1e9, rss: process.memoryUsage.rss(), cpuUs: cpuMicros() - cpu0, ...socketStats() });
        }
        const due = Math.min(total, Math.floor((el / 1e9) * rate));
        if (due > done) maxLagMs = Math.max(maxLagMs, (el - (done / rate) * 1e9) / 1e6);
        const aborted = maxLagMs > abortLagMs;
        while (done < due && !aborted) {
          const k = kFrom + done;
          t0s[done] = now();
          publish(prefix + (done % count), changeFor(k, extra));
          done++;
        }
        if (side) {
          const sideDue = Math.floor((Math.min(el, durationMs * 1e6) / 1e9) * side.rate);
          while (sideDone < sideDue && !aborted) publish(side.account, changeFor(side.kFrom + sideDone++, side.extra));
        }
        if (done >= total || aborted) {
          const end = now();
          flushed().then(() =>
            resolve({ n: done, t0s: t0s.slice(0, done), rss, start, end, cpuUs: cpuMicros() - cpu0, maxLagMs, aborted, sideDone, ...socketStats() }),
          );
        } else setTimeout(tick, 2);
      };
      tick();
    });
  }

  let profiler;
  const post = (method, params) =>
    new Promise((resolve, reject) => profiler.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

  const ctl = net.createServer((c) => {
    c.setNoDelay(true);
    let buf = '';
    c.on('data', async (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line);
        let out;
        try {
          switch (msg.op) {
            case 'stats':
              out = stats(msg.gc);
              break;
            case 'publish':
              out = await runPublish(msg.account, msg.k, msg.extra);
              break;
            case 'burst':
              out = await runBurst(msg);
              break;
            case 'profStart': {
              // CPU profile of a chosen phase only (the fan-out, not the connects)
              profiler ??= new Session();
              profiler.connect?.();
              await post('Profiler.enable');
              await post('Profiler.setSamplingInterval', { interval: msg.intervalUs ?? 200 });
              await post('Profiler.start');
              out = { ok: true };
              break;
            }
            case 'profStop': {
              const { profile } = await post('Profiler.stop');
              mkdirSync(dirname(msg.file), { recursive: true });
              writeFileSync(msg.file, JSON.stringify(profile));
              out = { ok: true, file: msg.file };
              break;
            }
            case 'heapSnapshot': {
              // for bench/lib/heap-census.mjs: what the open streams hold, by constructor
              if (global.gc) global.gc();
              mkdirSync(dirname(msg.file), { recursive: true });
              out = { ok: true, file: writeHeapSnapshot(msg.file) };
              break;
            }
            case 'repeat':
              out = await runRepeat(msg);
              break;
            case 'sustain':
              out = await runSustain(msg);
              break;
            case 'exit':
              c.end(JSON.stringify({ id: msg.id, ok: true }) + '\n', () => process.exit(0));
              return;
            default:
              out = { error: 'unknown op ' + msg.op };
          }
        } catch (e) {
          out = { error: String(e && e.stack ? e.stack : e) };
        }
        c.write(JSON.stringify({ id: msg.id, ...out }) + '\n');
      }
    });
    c.on('error', () => {});
  });
  return new Promise((resolve) => ctl.listen(0, '127.0.0.1', () => resolve(ctl.address().port)));
}

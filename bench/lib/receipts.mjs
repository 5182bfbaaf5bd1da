// What every raw-socket generator (bench/lib/sse-streams.mjs, bench/ws-gen.mjs) keeps around its sockets: the
// 127.x.y.z source addresses they connect from, the socket's opening with a deadline, the receipts of the
// `m<k>` markers its probes read (and the waits for them), and the "last data" clock that tells a drain when
// the sockets have gone quiet.
import net from 'node:net';
import { now, sleep } from './common.mjs';

/** Connections per source address: well below the ~28,000 ephemeral ports one address has towards one port. */
const PER_ADDR = 1500;

/** The next source address on each call: 127.<block>.y.z, `PER_ADDR` connections each. */
export function sourceAddresses(addrBlock = 0) {
  const block = 1 + (addrBlock % 250);
  let counter = 0;
  return () => {
    const n = counter++;
    return `127.${block}.${1 + (Math.floor(n / PER_ADDR) % 250)}.${1 + Math.floor(n / (PER_ADDR * 250))}`;
  };
}

/**
 * Opens `conn`'s loopback socket from `localAddress`, writes `request()` once connected and hands each chunk to
 * `conn.onData`. Resolves with `conn` at the first of: `conn.settle()` (called by `onData` once the answer's
 * head arrived), an error (`conn.error`), the close (`conn.closed`), `timeoutMs` (`conn.error = 'timeout'`).
 */
export function openSocket(conn, { port, localAddress, timeoutMs, request }) {
  return new Promise((resolve) => {
    conn.tStart = now();
    const sock = (conn.sock = net.connect({ port, host: '127.0.0.1', localAddress, noDelay: true }));
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(conn);
    };
    const timer = setTimeout(() => {
      conn.error = 'timeout';
      settle();
    }, timeoutMs);
    conn.settle = settle;
    sock.on('connect', () => sock.write(request()));
    sock.on('data', (chunk) => conn.onData(chunk));
    sock.on('error', (e) => {
      conn.error = e.code || String(e);
      settle();
    });
    sock.on('close', () => {
      conn.closed = true;
      conn.tClosed = now();
      settle();
    });
  });
}

/** One generator's marker receipts: `waitFor(k, n)` resolves once `n` sockets recorded marker `k`. */
export function markerReceipts() {
  const MARK = /"m(\d+)"/g;
  let lastDataAt = 0;
  /** k -> { remaining, resolve, timer, promise } */
  const waiters = new Map();

  /** Resolves true once `expected` more receipts of `k` are recorded, false after `timeoutMs`. */
  function waitFor(k, expected, timeoutMs = 10_000) {
    if (expected <= 0) return Promise.resolve(true);
    const have = waiters.get(k);
    if (have) {
      have.remaining += expected;
      return have.promise;
    }
    const w = { remaining: expected };
    w.promise = new Promise((resolve) => {
      w.resolve = resolve;
      w.timer = setTimeout(() => {
        waiters.delete(k);
        resolve(false);
      }, timeoutMs);
    });
    waiters.set(k, w);
    return w.promise;
  }

  /** Records the markers in `text` that `seen` (marker -> receipt time) does not have yet, at time `t`. */
  function record(seen, text, t) {
    MARK.lastIndex = 0;
    let m;
    while ((m = MARK.exec(text))) {
      const k = +m[1];
      if (seen.has(k)) continue;
      seen.set(k, t);
      const w = waiters.get(k);
      if (w && --w.remaining === 0) {
        clearTimeout(w.timer);
        waiters.delete(k);
        w.resolve(true);
      }
    }
  }

  /** Some socket read data at `t`. */
  function dataAt(t) {
    lastDataAt = t;
  }

  /** Resumes the passive sockets, reads until no data came for `quietMs`, pauses them again (between rounds). */
  async function drain(conns, passive, quietMs = 60, maxMs = 3000) {
    for (const c of conns) if (passive(c)) c.resume();
    const start = Date.now();
    lastDataAt = now();
    await sleep(quietMs);
    while (Date.now() - start < maxMs && now() - lastDataAt < quietMs * 1e6) await sleep(quietMs);
    while (Date.now() - start < maxMs && now() - lastDataAt < quietMs * 1e6) await sleep(10);
    for (const c of conns) if (passive(c)) c.pause();
  }

  return { waitFor, record, dataAt, drain };
}

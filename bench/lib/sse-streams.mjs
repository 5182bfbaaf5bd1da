// Raw-socket event-source streams of the generators (bench/gen.mjs, bench/bus/gen.mjs): source addresses
// spread over 127.x.y.1, a probe subset read (marker receipts recorded), the rest paused and drained between
// rounds. One `sseStreams()` per server under test: its streams, its marker waiters, its "last data" clock.
import { now, basic } from './common.mjs';
import { markerReceipts, openSocket, sourceAddresses } from './receipts.mjs';

export function countOcc(buf, needle) {
  let n = 0;
  let i = buf.indexOf(needle);
  while (i >= 0) {
    n++;
    i = buf.indexOf(needle, i + needle.length);
  }
  return n;
}

/**
 * @param {object} o
 * @param {number} o.port the server's HTTP port
 * @param {string} [o.path] the event-source path
 * @param {number} [o.addrBlock] picks the 127.<block>.y.z source addresses
 * @param {(...a: unknown[]) => void} [o.log]
 */
export function sseStreams({ port, path = '/jmap/eventsource', addrBlock = 0, log = () => {} }) {
  const HTTP_PORT = port;
  const PATH = path;
  const srcAddr = sourceAddresses(addrBlock);
  const ID_LINE = /\nid: ([^\n]*)\n/g;
  const STATE = Buffer.from('event: state');
  const { waitFor, record, dataAt, drain: drainQuiet } = markerReceipts();

  class Conn {
    constructor(i, user, opts = {}) {
      this.i = i;
      this.user = user;
      this.account = opts.account ?? user;
      this.ping = opts.ping ?? 0;
      this.lastEventId = opts.lastEventId;
      this.probe = !!opts.probe; // read and record marker receipts
      this.reading = !!opts.reading; // read (count frames) but do not record markers
      this.trackIds = !!opts.trackIds;
      this.stalled = !!opts.stalled; // paused after open, never drained
      this.status = 0;
      this.seen = new Map();
      this.frames = 0;
      this.carry = '';
      this.lastId = undefined;
      this.closed = false;
      this.error = undefined;
    }
    open(timeoutMs = 20_000) {
      const request = () =>
        `GET ${PATH}?types=*&closeafter=no&ping=${this.ping} HTTP/1.1\r\nHost: 127.0.0.1:${HTTP_PORT}\r\n` +
          `Authorization: ${basic(this.user)}\r\nAccept: text/event-stream\r\n` +
          (this.lastEventId ? `Last-Event-ID: ${this.lastEventId}\r\n` : '') +
          '\r\n';
      return openSocket(this, { port: HTTP_PORT, localAddress: srcAddr(), timeoutMs, request });
    }
    onData(chunk) {
      const t = now();
      dataAt(t);
      if (this.status === 0) {
        this.status = Number(chunk.latin1Slice(9, 12)) || -1;
        this.tHead = t;
        if (this.status !== 200) {
          this.body = chunk.latin1Slice(0, Math.min(chunk.length, 600));
          this.sock.destroy();
        }
        this.settle();
        if (!this.probe && !this.reading && !this.trackIds) this.sock.pause();
      }
      if (this.reading) this.frames += countOcc(chunk, STATE);
      const first = this.tFirst === undefined;
      if (first) this.tFirst = t;
      // ids are parsed until the stream's first id is known (Nest may send headers and the first frame apart)
      if (this.probe || this.trackIds || first || this.lastId === undefined) {
        const s = this.carry + chunk.latin1Slice(0, chunk.length);
        record(this.seen, s, t);
        ID_LINE.lastIndex = 0;
        let m;
        while ((m = ID_LINE.exec(s))) this.lastId = m[1];
        this.carry = s.length > 100 ? s.slice(-100) : s;
      }
    }
    get ok() {
      return this.status === 200 && !this.closed;
    }
    pause() {
      if (this.sock && !this.stalled) this.sock.pause();
    }
    resume() {
      if (this.sock && !this.stalled) this.sock.resume();
    }
    destroy() {
      this.sock?.destroy();
    }
  }

  async function openAll(conns, window = 256) {
    let idx = 0;
    const t0 = now();
    await Promise.all(
      Array.from({ length: Math.min(window, conns.length) }, async () => {
        while (idx < conns.length) await conns[idx++].open();
      }),
    );
    const t1 = now();
    const statuses = {};
    for (const c of conns) {
      const key = c.status === 200 && !c.closed ? 'ok' : c.status ? `http${c.status}` : c.error || (c.closed ? 'closed' : 'none');
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    const failed = conns.find((c) => c.status && c.status !== 200);
    if (failed) log('first refusal:', JSON.stringify(failed.body));
    return { n: conns.length, ok: statuses.ok ?? 0, statuses, seconds: (t1 - t0) / 1e9, perSecond: conns.length / ((t1 - t0) / 1e9) };
  }

  /** Resume every paused stream, read until quiet, pause them again (between rounds). */
  const drain = (conns, quietMs, maxMs) => drainQuiet(conns, (c) => !c.probe && !c.reading && !c.trackIds, quietMs, maxMs);


  function setProbes(conns, pred) {
    for (const c of conns) {
      const p = pred(c);
      if (p && !c.probe) {
        c.probe = true;
        c.carry = '';
        c.resume();
      } else if (!p && c.probe) {
        c.probe = false;
        c.pause();
      }
    }
  }
  return { Conn, openAll, drain, setProbes, waitFor };
}

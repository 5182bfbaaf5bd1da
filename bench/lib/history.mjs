// A tiny in-memory change log for the floor and naive servers: ids `<ms>-<seq>` like the module's,
// latest state per account, and merged replay after a Last-Event-ID (what any correct server must do).
export class History {
  constructor(size = 100_000) {
    this.size = size;
    this.log = [];
    this.seq = 0;
    this.ms = Date.now();
    this.latest = new Map();
  }
  currentId() {
    return `${this.ms}-${this.seq}`;
  }
  append(accountId, changed) {
    this.seq++;
    const id = `${this.ms}-${this.seq}`;
    const prev = this.latest.get(accountId);
    this.latest.set(accountId, prev ? { ...prev, ...changed } : changed);
    this.log.push({ seq: this.seq, accountId, changed });
    if (this.log.length > this.size * 1.5) this.log = this.log.slice(-this.size);
    return id;
  }
  /** Merged changes after `lastEventId` for these accounts; undefined when unknown/too old. */
  since(lastEventId, accountIds) {
    const m = /^(\d+)-(\d+)$/.exec(lastEventId ?? '');
    if (!m || Number(m[1]) !== this.ms) return undefined;
    const seq = Number(m[2]);
    if (seq > this.seq || (this.log.length && this.log[0].seq > seq + 1 && seq < this.seq)) return undefined;
    const want = new Set(accountIds);
    const out = {};
    // binary search the first entry after seq
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.log.length; i++) {
      const e = this.log[i];
      if (want.has(e.accountId)) out[e.accountId] = { ...(out[e.accountId] ?? {}), ...e.changed };
    }
    return out;
  }
  latestOf(accountIds) {
    const out = {};
    for (const a of accountIds) {
      const s = this.latest.get(a);
      if (s) out[a] = s;
    }
    return out;
  }
}

export const pingFrame = (interval) => `event: ping\ndata: {"interval":${interval}}\n\n`;
export const stateFrame = (id, changed) =>
  `event: state\nid: ${id}\ndata: ${JSON.stringify({ '@type': 'StateChange', changed })}\n\n`;

export function parseQuery(url) {
  const q = new URL(url, 'http://x').searchParams;
  const ping = Number(q.get('ping') ?? '0');
  return { types: q.get('types') ?? '*', closeafter: q.get('closeafter') ?? 'no', ping: Number.isFinite(ping) ? ping : 0 };
}

export function userOf(authorization) {
  if (!authorization || !authorization.startsWith('Basic ')) return undefined;
  const dec = Buffer.from(authorization.slice(6), 'base64').toString();
  const i = dec.indexOf(':');
  return i < 0 ? undefined : dec.slice(0, i);
}

// The floor: bare node:http, a per-account registry, one pre-encoded Buffer per publish written to
// every response of the account. Pings from one 1 s timer over buckets (no per-stream timers).
// `floor.mjs raw`: the same, but the chunked-encoding framing is built into that one Buffer and it is
// written to the socket itself, skipping ServerResponse.write (a what-if below the floor).
import http from 'node:http';
import { startControl } from '../lib/control.mjs';
import { dieWithParent, accountsOfUser } from '../lib/common.mjs';
import { History, pingFrame, stateFrame, parseQuery, userOf } from '../lib/history.mjs';

dieWithParent();
const RAW = process.argv[2] === 'raw';
const CRLF = Buffer.from('\r\n');
/** The frame as one HTTP/1.1 chunk: `<hex length>\r\n<frame>\r\n`. */
const chunked = (frame) => Buffer.concat([Buffer.from(frame.length.toString(16) + '\r\n'), frame, CRLF]);
const history = new History();
/** accountId -> Set<ServerResponse> */
const registry = new Map();
/** ping seconds -> array of `ping` buckets (Set<ServerResponse>), one per second of the interval */
const pingBuckets = new Map();
let streams = 0;

const HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-store',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

const server = http.createServer((req, res) => {
  const user = userOf(req.headers.authorization);
  if (!user) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="JMAP"' }).end();
    return;
  }
  const { ping } = parseQuery(req.url);
  const accounts = accountsOfUser(user);
  req.socket.setNoDelay(true);
  res.writeHead(200, HEADERS);
  const last = req.headers['last-event-id'];
  const changed = (last && history.since(last, accounts)) || history.latestOf(accounts);
  res.write('retry: 2000\n' + stateFrame(history.currentId(), changed));
  streams++;
  for (const a of accounts) {
    let set = registry.get(a);
    if (!set) registry.set(a, (set = new Set()));
    set.add(res);
  }
  let bucket;
  if (ping > 0) {
    let b = pingBuckets.get(ping);
    if (!b) {
      b = { frame: Buffer.from(pingFrame(ping)), sets: Array.from({ length: ping }, () => new Set()) };
      if (RAW) b.chunk = chunked(b.frame);
      pingBuckets.set(ping, b);
    }
    bucket = b.sets[Math.floor(Date.now() / 1000) % ping];
    bucket.add(res);
  }
  res.on('close', () => {
    streams--;
    for (const a of accounts) {
      const set = registry.get(a);
      set.delete(res);
      if (set.size === 0) registry.delete(a);
    }
    bucket?.delete(res);
  });
});

setInterval(() => {
  const sec = Math.floor(Date.now() / 1000);
  for (const [ping, b] of pingBuckets)
    for (const res of b.sets[sec % ping]) {
      if (RAW) res.socket?.write(b.chunk);
      else res.write(b.frame);
    }
}, 1000);

function publish(accountId, changed) {
  const id = history.append(accountId, changed);
  const set = registry.get(accountId);
  if (!set) return;
  const frame = Buffer.from(stateFrame(id, { [accountId]: changed }));
  if (RAW) {
    const chunk = chunked(frame);
    for (const res of set) res.socket?.write(chunk);
  } else for (const res of set) res.write(frame);
}

server.listen(0, '127.0.0.1', async () => {
  const ctl = await startControl({ publish, httpServer: server, info: { get streams() { return streams; } } });
  process.stdout.write('READY ' + JSON.stringify({ http: server.address().port, ctl }) + '\n');
});

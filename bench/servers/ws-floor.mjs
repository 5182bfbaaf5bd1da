// The WebSocket floor: bare `ws` on node:http (`noServer`, no permessage-deflate, `jmap` subprotocol),
// a trivial Basic auth check before the upgrade, a per-account registry of push-enabled sockets, and
// per publish one pre-serialised StateChange (RFC 8887 section 4.3.5.1, with its `pushState`) handed
// to `send` on every socket of the account: `ws` frames it once per socket.
// `WebSocketPushEnable` with a `pushState` gets the merged changes since (or the latest states for an
// id it cannot place), as the module does. No WebSocket pings (the module's are off in the bench too).
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { startControl } from '../lib/control.mjs';
import { dieWithParent, accountsOfUser } from '../lib/common.mjs';
import { History, userOf } from '../lib/history.mjs';

dieWithParent();
const history = new History();
/** accountId -> Set<WebSocket> */
const registry = new Map();
let sockets = 0;
let pushEnabled = 0;

const stateChange = (changed, pushState) => JSON.stringify({ '@type': 'StateChange', changed, pushState });

const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('jmap') ? 'jmap' : false),
});

const server = http.createServer((req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  const user = userOf(req.headers.authorization);
  if (!user) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="JMAP"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const accounts = accountsOfUser(user);
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets++;
    let enabled = false;
    ws.on('message', (data) => {
      let msg;
      try {
        msg = JSON.parse(data);
      } catch {
        return;
      }
      if (msg?.['@type'] !== 'WebSocketPushEnable') return;
      if (!enabled) {
        enabled = true;
        pushEnabled++;
        for (const a of accounts) {
          let set = registry.get(a);
          if (!set) registry.set(a, (set = new Set()));
          set.add(ws);
        }
      }
      if (typeof msg.pushState === 'string') {
        const changed = history.since(msg.pushState, accounts) ?? history.latestOf(accounts);
        if (Object.keys(changed).length) ws.send(stateChange(changed, history.currentId()));
      }
    });
    ws.on('error', () => {});
    ws.once('close', () => {
      sockets--;
      if (!enabled) return;
      pushEnabled--;
      for (const a of accounts) {
        const set = registry.get(a);
        set.delete(ws);
        if (set.size === 0) registry.delete(a);
      }
    });
  });
});

function publish(accountId, changed) {
  const id = history.append(accountId, changed);
  const set = registry.get(accountId);
  if (!set) return;
  const data = Buffer.from(stateChange({ [accountId]: changed }, id));
  for (const ws of set) ws.send(data, { binary: false });
}

server.listen(0, '127.0.0.1', async () => {
  const info = {
    get streams() {
      return sockets;
    },
    get pushEnabled() {
      return pushEnabled;
    },
  };
  const ctl = await startControl({ publish, httpServer: server, info });
  process.stdout.write('READY ' + JSON.stringify({ http: server.address().port, ctl }) + '\n');
});

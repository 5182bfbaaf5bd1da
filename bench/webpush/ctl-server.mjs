// The control channel of the Web Push bench processes (app, floor, push service): newline JSON over TCP
// on 127.0.0.1, one handler per `op`, answered with the request's `id` (the client is lib/ctl-client.mjs).
import net from 'node:net';

/** @param {Record<string, (msg: object) => unknown>} handlers @returns {Promise<number>} the port */
export function serveControl(handlers) {
  const ctl = net.createServer((c) => {
    c.setNoDelay(true);
    let buf = '';
    c.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        const handler = handlers[msg.op];
        Promise.resolve()
          .then(() => (handler ? handler(msg) : { error: 'unknown op ' + msg.op }))
          .catch((e) => ({ error: String(e?.stack ?? e) }))
          .then((out) => c.write(JSON.stringify({ id: msg.id, ...out }) + '\n'));
      }
    });
    c.on('error', () => {});
  });
  return new Promise((resolve) => ctl.listen(0, '127.0.0.1', () => resolve(ctl.address().port)));
}

/** The process's CPU time (µs), RSS and heap now; after two full GCs when `gc`. */
export function processStats(gc) {
  if (gc && global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  const u = process.cpuUsage();
  return { cpuUs: u.user + u.system, rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

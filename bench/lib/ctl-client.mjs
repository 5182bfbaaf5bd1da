// The generator's end of a server's control channel (lib/control.mjs): newline JSON over TCP, one
// pending promise per request id.
import net from 'node:net';

export class Ctl {
  constructor(port) {
    this.pending = new Map();
    this.seq = 1;
    this.buf = '';
    this.sock = net.connect({ port, host: '127.0.0.1', noDelay: true });
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error));
        else p?.resolve(msg);
      }
    });
    this.sock.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }
  call(op, args = {}) {
    const id = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.sock.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }
  close() {
    this.sock.end();
  }
}

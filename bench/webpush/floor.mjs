// The Web Push floor: what one push costs at least. `web-push`'s `encrypt` (aes128gcm, RFC 8291) of a
// StateChange of the module's size, then one POST through a pooled undici Agent (keep-alive, `connections`
// as the module's `maxConcurrentPushes`), its answer read, `concurrency` of them in flight, in a tight loop.
// The VAPID header is made once per origin and URLs parsed once (the module caches the header too).
// `node floor.mjs '<json: { ca: <cert path>, connections }>'`; control ops `run`, `stats`, `profStart`/`profStop`.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { now, dieWithParent } from '../lib/common.mjs';
import { changeFor } from '../lib/control.mjs';
import { serveControl, processStats } from './ctl-server.mjs';

const require = createRequire(import.meta.url);
const { Agent } = require('undici');
const webPush = require('web-push');

const opts = JSON.parse(process.argv[2] ?? '{}');
dieWithParent(30 * 60_000);
const connections = opts.connections ?? 64;
const agent = new Agent({ connect: { ca: readFileSync(opts.ca, 'utf8') }, connections });
const keys = webPush.generateVAPIDKeys();
const vapidHeaders = new Map();
const authorization = (origin) => {
  let h = vapidHeaders.get(origin);
  if (!h) {
    const exp = Math.floor(Date.now() / 1000) + 12 * 3600;
    h = webPush.getVapidHeaders(origin, 'mailto:bench@example.com', keys.publicKey, keys.privateKey, 'aes128gcm', exp).Authorization;
    vapidHeaders.set(origin, h);
  }
  return h;
};

const ctl = await serveControl({
  /**
   * `count` pushes to `targets` ({ endpoint, keys, account }) round robin, StateChange k = kFrom + i of
   * the target's account; `concurrency` in flight.
   */
  async run({ targets, count, concurrency = connections, kFrom = 0 }) {
    const parsed = targets.map((t) => {
      const u = new URL(t.endpoint);
      return { origin: u.origin, path: u.pathname, keys: t.keys, account: t.account };
    });
    const statuses = {};
    const cpu0 = processStats(false).cpuUs;
    const t0 = now();
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const t = parsed[i % parsed.length];
        const plaintext = Buffer.from(JSON.stringify({ '@type': 'StateChange', changed: { [t.account]: changeFor(kFrom + i) } }), 'utf8');
        const body = webPush.encrypt(t.keys.p256dh, t.keys.auth, plaintext, 'aes128gcm').cipherText;
        const res = await agent.request({
          origin: t.origin,
          path: t.path,
          method: 'POST',
          headers: { ttl: '86400', urgency: 'normal', 'content-type': 'application/json', 'content-encoding': 'aes128gcm', authorization: authorization(t.origin) },
          body,
        });
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { t0, t1: now(), cpuUs: processStats(false).cpuUs - cpu0, statuses };
  },
  stats({ gc }) {
    return { t: now(), ...processStats(gc) };
  },
});
process.stdout.write('READY ' + JSON.stringify({ ctl }) + '\n');

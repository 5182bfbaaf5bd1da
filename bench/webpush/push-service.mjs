// The push service of the Web Push bench: `jmap-push/testing`'s FakePushService (HTTPS on 127.0.0.1,
// VAPID checked, every aes128gcm body decrypted), `node push-service.mjs <key.pem> <cert.pem>`.
// Control ops: `subscribe` (fresh subscriptions), `watch` (timestamp every request to them:
// process.hrtime minus BENCH_T0 once FakePushService recorded it), `arrivals` (and forget them),
// `outage` (every request answered as given, or 201 again), `latest` (per subscription, its last 201's
// StateChange), `stats`.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { now, dieWithParent } from '../lib/common.mjs';
import { serveControl, processStats } from './ctl-server.mjs';

const require = createRequire(import.meta.url);
const { FakePushService } = require('jmap-push/testing');

dieWithParent(30 * 60_000);
const service = await FakePushService.start({ key: readFileSync(process.argv[2]), cert: readFileSync(process.argv[3]) });

const watched = new Set();
/** Since the last `arrivals`: subscription index, arrival time (ns since BENCH_T0), status; and the pushes. */
let arrivals = [];
let recent = [];
const byStatus = {};
/** `decode` mode (P3): per watched subscription, the `changed` of its last push answered 201. */
let decodeAll = false;
const latest = new Map();
let total = 0;
const index = new Map();

/** What a push carried: the StateChange's `changed`, or the object's `@type`; decrypted now (FakePushService is lazy). */
function decoded(push) {
  if (!push.payload) return { error: `undecrypted: ${push.decryptError}` };
  const body = JSON.parse(push.payload.toString('utf8'));
  return body['@type'] === 'StateChange' ? { changed: body.changed } : { type: body['@type'] };
}

/** Re-arms at once: a waiter is called inside FakePushService's record, before the next request is read. */
function watch(name) {
  if (watched.has(name)) return;
  watched.add(name);
  const loop = () =>
    service.nextPush(name, 3_600_000).then(
      (push) => {
        const t = now();
        loop();
        total++;
        byStatus[push.status] = (byStatus[push.status] ?? 0) + 1;
        arrivals.push([index.get(name), t, push.status]);
        recent.push(push);
        if (decodeAll && push.status === 201) {
          const d = decoded(push);
          if (d.changed) latest.set(name, { ...(latest.get(name) ?? {}), ...d.changed });
        }
      },
      () => watched.delete(name),
    );
  loop();
}

const ctl = await serveControl({
  subscribe({ prefix, n }) {
    const devices = [];
    for (let i = 0; i < n; i++) {
      const name = `${prefix}${i}`;
      const d = service.subscription(name);
      index.set(name, i);
      devices.push({ name, endpoint: d.endpoint, keys: d.keys });
      watch(name);
    }
    return { devices };
  },
  /** The arrivals since the last call. */
  arrivals() {
    const out = arrivals;
    arrivals = [];
    return { arrivals: out, total, byStatus };
  },
  /** `sample` of the pushes since the last `sample` call decrypted and VAPID-checked (off the clock); forgets them. */
  sample({ sample = 0 }) {
    const pushes = recent;
    recent = [];
    const checked = [];
    const step = Math.max(1, Math.floor(pushes.length / Math.max(1, sample)));
    for (let i = 0; sample > 0 && i < pushes.length && checked.length < sample; i += step) {
      const p = pushes[i];
      checked.push({ i: index.get(p.subscription), vapidValid: p.vapid.valid, ...decoded(p) });
    }
    return { checked, of: pushes.length };
  },
  decode({ on }) {
    decodeAll = on;
    return { ok: true };
  },
  outage({ answer }) {
    service.answerUnscripted(answer ?? undefined);
    return { ok: true };
  },
  latest({ names }) {
    return { latest: names.map((n) => latest.get(n) ?? null) };
  },
  stats({ gc }) {
    return { t: now(), ...processStats(gc), total, byStatus, connections: service.connections };
  },
});
process.stdout.write('READY ' + JSON.stringify({ ctl, origin: service.origin }) + '\n');

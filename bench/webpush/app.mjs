// jmap-push with Web Push on, from the built library: `node app.mjs '<json options>'`, options
// `{ ca: <cert path>, webPush: { ...WebPushOptions over the defaults } }`. The in-memory store and bus;
// a trivial authenticator (no stream is opened: the bench publishes through StateChangeService).
// Control ops: `subscribe` (verified subscriptions straight into the store, as a migration would: the
// bench does not run 10k PushSubscription/set + verification round trips), `publish` / `burst` / `sustain`
// (timestamps just before publish), `stats`, `quiet`, `profStart` / `profStop`.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector';
import { now, sleep, dieWithParent } from '../lib/common.mjs';
import { changeFor } from '../lib/control.mjs';
import { serveControl, processStats } from './ctl-server.mjs';

const require = createRequire(import.meta.url);
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { JmapPushModule, StateChangeService, PushMetrics, PushSubscriptionStore } = require('jmap-push');
const webPushLib = require('web-push');

const opts = JSON.parse(process.argv[2] ?? '{}');
dieWithParent(30 * 60_000);
const keys = webPushLib.generateVAPIDKeys();
const vapid = { publicKey: keys.publicKey, privateKey: keys.privateKey, subject: 'mailto:bench@example.com' };

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        JmapPushModule.forRoot({
          authenticator: { authenticateBasic: (u) => ({ id: u, accountIds: [u] }) },
          webPush: { vapid, ca: readFileSync(opts.ca, 'utf8'), allowHosts: ['127.0.0.1'], ...(opts.webPush ?? {}) },
        }),
      ],
    }),
  ],
  AppModule,
);
const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.init();
const changes = app.get(StateChangeService);
const metrics = app.get(PushMetrics);
const store = app.get(PushSubscriptionStore);
// internal: the delivery worker's pushes in flight (the built file by path)
const { PushDelivery } = require(require.resolve('jmap-push').replace(/index\.js$/, 'web-push/push-delivery.js'));
const delivery = app.get(PushDelivery);

const counters = () => {
  const m = metrics.snapshot();
  return { pushesSent: m.pushesSent, pushesRetried: m.pushesRetried, pushesMerged: m.pushesMerged, inFlight: delivery.pushesInFlight };
};

let profiler;
const post = (method, params) => new Promise((res, rej) => profiler.post(method, params, (e, r) => (e ? rej(e) : res(r))));

const ctl = await serveControl({
  /** devices: [{ endpoint, keys, accounts: [..] }]; ids `s<from+i>` */
  async subscribe({ devices, from = 0 }) {
    const t = Date.now();
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i];
      const id = `s${from + i}`;
      await store.create(
        {
          id,
          credentialId: `cred-${id}`,
          principal: { id: `user-${id}`, accountIds: d.accounts },
          deviceClientId: `dev-${id}`,
          url: d.endpoint,
          keys: d.keys,
          verificationCode: 'bench-verification-code',
          verified: true,
          expires: t + 6 * 24 * 3600_000,
          types: null,
          createdAt: t,
          vapidPublicKey: vapid.publicKey,
        },
        t,
      );
    }
    // a store's create owes the verification push; a verified subscription's is settled without a request
    delivery.wake();
    return { ok: true };
  },
  async publish({ account, k }) {
    const t0 = now();
    await changes.publish(account, changeFor(k));
    return { t0 };
  },
  /** One change on each account, k = kFrom + index. */
  async burst({ accounts, kFrom }) {
    const t0 = now();
    await Promise.all(accounts.map((a, i) => changes.publish(a, changeFor(kFrom + i))));
    return { t0, tCall: now() };
  },
  /** `rate`/s changes round robin over `accounts` for `durationMs`, k = kFrom + n; RSS and heap sampled each second. */
  async sustain({ accounts, rate, durationMs, kFrom }) {
    const start = now();
    const samples = [];
    let n = 0;
    let lastSec = -1;
    const total = Math.floor((rate * durationMs) / 1000);
    while (n < total) {
      const el = now() - start;
      const sec = Math.floor(el / 1e9);
      if (sec !== lastSec) {
        lastSec = sec;
        samples.push({ t: el / 1e9, ...processStats(false), ...counters() });
      }
      const due = Math.min(total, Math.floor((el / 1e9) * rate));
      while (n < due) {
        changes.publish(accounts[n % accounts.length], changeFor(kFrom + n));
        n++;
      }
      await sleep(5);
    }
    samples.push({ t: (now() - start) / 1e9, ...processStats(false), ...counters() });
    return { n, samples };
  },
  async stats({ gc }) {
    return { t: now(), ...processStats(gc), ...counters(), nextDueAt: (await store.nextDueAt()) ?? null };
  },
  /** Waits until nothing is in flight and nothing pending (or `timeoutMs`). */
  async quiet({ timeoutMs = 60_000 }) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (delivery.pushesInFlight === 0 && (await store.nextDueAt()) === undefined) return { quiet: true, t: now() };
      if (Date.now() > end) return { quiet: false, t: now() };
      await sleep(20);
    }
  },
  async profStart({ intervalUs = 200 }) {
    profiler ??= new Session();
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: intervalUs });
    await post('Profiler.start');
    return { ok: true };
  },
  async profStop({ file }) {
    const { profile } = await post('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    return { ok: true };
  },
});
process.stdout.write('READY ' + JSON.stringify({ ctl }) + '\n');

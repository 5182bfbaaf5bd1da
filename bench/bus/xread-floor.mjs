// The floor of the Redis bus's read loop: a bare ioredis XREAD loop on the bus's change log, reading what
// the nodes read (same COUNT and BLOCK as RedisPushBus's defaults), from the log's end, and decoding
// each entry as little as any consumer must (its account field and the JSON of its states). Nothing else:
// no ordering checks, no replay window, no listeners. Its CPU per entry is the ratio's denominator.
// Usage: node bench/bus/xread-floor.mjs <key prefix>; `READY {"ctl":port}`; the control channel's `stats`.
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { startControl } from '../lib/control.mjs';
import { dieWithParent } from '../lib/common.mjs';

const require = createRequire(import.meta.url);
const Redis = require('ioredis');

const changeLog = `${process.argv[2]}stream`;
const redis = new Redis({ host: '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT ?? 6379), maxRetriesPerRequest: 2 });
dieWithParent(30 * 60_000, () => redis.disconnect());

let entries = 0;
let lastId = '$';
let accountsSeen = 0;
async function loop() {
  // start at the log's end, as the bus's reader does
  const head = await redis.xrevrange(changeLog, '+', '-', 'COUNT', 1);
  lastId = head.length ? head[0][0] : '0-0';
  for (;;) {
    const reply = await redis.xread('COUNT', 500, 'BLOCK', 5000, 'STREAMS', changeLog, lastId);
    if (!reply) continue;
    for (const [, rows] of reply) {
      for (const [id, fields] of rows) {
        let account;
        let changed;
        for (let i = 0; i + 1 < fields.length; i += 2) {
          if (fields[i] === 'account') account = fields[i + 1];
          else if (fields[i] === 'changed') changed = JSON.parse(fields[i + 1]);
        }
        if (account && changed) accountsSeen++;
        lastId = id;
        entries++;
      }
    }
  }
}

const info = {
  get entries() {
    return entries;
  },
  get busId() {
    return lastId;
  },
  get decoded() {
    return accountsSeen;
  },
};
loop().catch((e) => {
  process.stderr.write(`xread-floor: ${e.stack}\n`);
  process.exit(1);
});
const ctl = await startControl({ publish: () => {}, httpServer: new EventEmitter(), info });
process.stdout.write('READY ' + JSON.stringify({ ctl }) + '\n');

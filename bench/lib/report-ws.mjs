// The "WebSocket" section of bench/RESULTS.md (the W rows of issue 15, point 3), from run.mjs's results;
// bench/ANALYSIS-ws.md (hand-written causes) is appended to it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { f0, f1, f2, int, spread, ratio, yes, get, table, failures, loadNote } from './report.mjs';

const WS_KINDS = ['wsFloor', 'ws', 'ws-redis'];
const FLOOR = 'wsFloor';
/** Largest RSS growth during W4 still called flat (MiB per minute, after the first 20 % of the run). */
const FLAT_MIB_PER_MIN = 10;

const module = (k) => k !== FLOOR;
const by = (x, floor) => (Number.isFinite(x) && Number.isFinite(floor) && floor > 0 ? x / floor : NaN);

function analysis() {
  try {
    return readFileSync(fileURLToPath(new URL('../ANALYSIS-ws.md', import.meta.url)), 'utf8').trim() + '\n';
  } catch {
    return '';
  }
}

/** `--repeat=N`: every interleaved session's key figure, and the module's ratios to the floor of the same round. */
function repeatsNote(out, session, kinds, what, f = f0) {
  const floor = out.sessions?.[session]?.[FLOOR]?.repeats;
  if (!floor) return '';
  const parts = [];
  for (const k of kinds) {
    const xs = out.sessions?.[session]?.[k]?.repeats;
    if (!xs) continue;
    let line = `${k} ${xs.map((x) => (x === null ? 'failed' : f(x))).join(', ')}`;
    if (k !== FLOOR) {
      const rs = xs.map((x, i) => by(x, floor[i]));
      const m = [...rs].filter(Number.isFinite).sort((a, b) => a - b);
      line += ` (÷ floor ${rs.map((r) => f2(r)).join(', ')}; median ${f2(m[(m.length - 1) >> 1])}×)`;
    }
    parts.push(line);
  }
  return `\n${what} of the ${floor.length} interleaved sessions (the table shows each server's median one): ${parts.join('; ')}.\n`;
}

function latency(out, kinds, session, w, title, what, targetText, ok) {
  const floor = get(out, session, FLOOR)?.[w];
  const rows = [];
  for (const k of kinds) {
    const r = get(out, session, k)?.[w];
    if (!r) continue;
    rows.push([
      `**${k}**`,
      f1(r.p50),
      `${f0(r.p99)}${spread(r.p99Min, r.p99Max)}`,
      f0(r.flushMs),
      f1(r.cpuMs),
      ratio(r.p99, floor?.p99),
      ratio(r.cpuMs, floor?.cpuMs),
      `${r.runs.length}×${r.runs[0]?.changes?.length ?? '?'}`,
      String(r.missing),
      r.genSaturated ? '⚠️ yes' : 'no',
      module(k) ? targetText : '',
      module(k) && ok ? yes(ok(r, floor)) : '',
    ]);
  }
  return `### ${w}: ${title}\n\n${what}\n\n${table(
    ['server', 'p50 ms', 'p99 ms median (min–max of runs)', 'server flush ms', 'server CPU ms per change', 'p99 ÷ floor', 'CPU ÷ floor', 'runs×changes', 'missing', 'generator saturated', 'target', ''],
    rows,
  )}\n${repeatsNote(out, session, kinds, `${w} p99 ms`)}${failures(out, session, kinds)}${loadNote(out, session, kinds)}\n`;
}

/** The section, or '' when no WebSocket session ran. */
export function wsSection(out) {
  const kinds = WS_KINDS.filter((k) => out.servers?.[k] && !out.skipped?.[k]);
  const ran = ['wsOneAccount', 'wsAccounts', 'wsSustained', 'wsStorm'].filter((s) => kinds.some((k) => out.sessions?.[s]?.[k]));
  if (!ran.length) return '';
  const s = [];
  const n = int(get(out, 'wsOneAccount', FLOOR)?.W1.sockets ?? get(out, 'wsOneAccount', 'ws')?.W1.sockets);
  const rerun = [...(out.reruns ?? [])].reverse().find((r) => r.sessions.some((x) => ran.includes(x)));
  const when = rerun ? `${rerun.date}${rerun.quick ? ' (quick mode)' : ''}` : `${out.machine.date}${out.machine.quick ? ' (quick mode)' : ''}`;
  s.push(`## WebSocket (RFC 8887)

Measured on ${when}. Servers: ${kinds.map((k) => `**${k}** = ${out.servers[k]}`).join('; ')}. The targets are issue 15's, as ratios to the
floor measured in the same run.

Method (as above, with these differences): each socket is a raw \`net.connect\` doing the RFC 6455 handshake
(\`GET /jmap/ws\`, \`Sec-WebSocket-Protocol: jmap\`, Basic auth), then sending \`WebSocketPushEnable\`
(\`dataTypes: null\`) as a masked text frame; "connects/s" counts sockets until that frame is written. RFC 8887
answers a push enable with nothing, so before any change is published the generator waits until the server
counts every socket as push-enabled. Server frames are parsed just far enough to find their ends (every socket)
and read the probes' StateChanges (\`"Email":"m<k>"\` markers, \`pushState\`). The module's WebSocket pings are
set an hour apart and the floor sends none: a paused socket cannot answer a ping. The floor is bare \`ws\`
(\`noServer\`, no permessage-deflate), a trivial Basic check before the upgrade, and per change one
pre-serialised StateChange \`Buffer\` handed to \`ws.send\` on every socket of the account (\`ws\` frames it per
socket); the module is \`JmapPushModule\` with \`transport: 'direct'\` and the \`webSocket\` option (a trivial
request handler), which frames each change once and writes the same bytes to every socket.
`);
  // W1
  {
    const rows = [];
    const floor = get(out, 'wsOneAccount', FLOOR);
    for (const k of kinds) {
      const r = get(out, 'wsOneAccount', k);
      if (!r) continue;
      const x = by(r.W1.perSocketKiB, floor?.W1.perSocketKiB);
      rows.push([
        `**${k}**`,
        `${int(r.held.held)} / ${int(r.held.attempted)}`,
        int(r.connect.perSecond),
        f1(r.W1.perSocketKiB),
        f1(r.W1.heapPerSocketKiB),
        ratio(r.W1.perSocketKiB, floor?.W1.perSocketKiB),
        f0(r.W1.emptyRss / 1048576),
        f0(r.held.rss / 1048576),
        module(k) ? '≤ 1.3× floor, all held' : '',
        module(k) && floor ? yes(x <= 1.3 && r.held.held === r.held.attempted) : '',
      ]);
    }
    s.push(`### W1: sockets held, RSS per idle socket\n\n${n} push-enabled sockets of one account (RSS after GC, above the empty process), then more up to the "held" count.\n\n${table(
      ['server', 'sockets held', `connects/s (${n}, 256 in flight)`, 'RSS KiB/socket', 'heap KiB/socket', 'RSS ÷ floor', 'empty RSS MiB', 'RSS when all held MiB', 'target', ''],
      rows,
    )}\n${failures(out, 'wsOneAccount', kinds)}${loadNote(out, 'wsOneAccount', kinds)}\n`);
  }
  s.push(
    latency(out, kinds, 'wsOneAccount', 'W2', `one change, ${n} sockets of one account`, `${n} sockets of account \`a0\`, about 200 probes spread over the connection order.`, '≤ 1.0× floor p99', (r, floor) => by(r.p99, floor?.p99) <= 1.0),
  );
  {
    const sec = latency(out, kinds, 'wsAccounts', 'W3', `one change on each of ${int(get(out, 'wsAccounts', FLOOR)?.connect.n)} one-socket accounts`, 'One socket per account; the server publishes to every account in one loop; latency from the start of the loop; about 200 probes.', 'measured (no target)');
    const loops = kinds
      .map((k) => [k, get(out, 'wsAccounts', k)?.W3])
      .filter(([, r]) => r)
      .map(([k, r]) => `${k} ${f0(r.publishLoopMs)} ms`)
      .join(', ');
    s.push(sec + (loops ? `\nTime spent inside the \`publish()\` calls: ${loops}.\n` : ''));
  }
  // W4
  {
    const rows = [];
    const floor = get(out, 'wsSustained', FLOOR);
    for (const k of kinds) {
      const x = get(out, 'wsSustained', k);
      const r = x?.W4;
      if (!r) continue;
      const cap = x.W4capacity;
      const held = !r.aborted && r.deliveredPerSecond >= 0.98 * r.offeredDeliveriesPerSecond;
      const ok = held && r.rssSlopeMiBPerMin <= FLAT_MIB_PER_MIN;
      rows.push([
        `**${k}**`,
        `${int(r.offeredDeliveriesPerSecond)}/s for ${r.seconds} s${r.aborted ? ` — **overloaded, stopped after ${f1(r.publishedSeconds)} s**` : ''}`,
        int(r.deliveredPerSecond),
        f1(r.p50),
        `${f0(r.p99)}${spread(r.p99Min, r.p99Max)}`,
        f0(r.max),
        f0(100 * r.serverBusy) + ' %',
        f2(r.cpuPerDeliveryUs),
        ratio(r.cpuPerDeliveryUs, floor?.W4.cpuPerDeliveryUs),
        `${f0(r.rssStart / 1048576)} → ${f0(r.rssEnd / 1048576)}`,
        f1(r.rssSlopeMiBPerMin),
        ratio(r.p99, floor?.W4.p99),
        cap ? `${int(cap.deliveredPerSecond)} (${f0(100 * cap.serverBusy)} % busy)` : '–',
        ratio(cap?.deliveredPerSecond, floor?.W4capacity?.deliveredPerSecond),
        r.genSaturated || cap?.genSaturated ? '⚠️ yes' : 'no',
        module(k) ? `the held load delivered, RSS slope ≤ ${FLAT_MIB_PER_MIN} MiB/min` : '',
        module(k) ? (!ok && floor?.W4.aborted ? '– (the floor was overloaded too)' : yes(ok)) : '',
      ]);
    }
    const r0 = floor?.W4 ?? get(out, 'wsSustained', 'ws')?.W4;
    const c0 = floor?.W4capacity ?? get(out, 'wsSustained', 'ws')?.W4capacity;
    s.push(`### W4: sustained deliveries\n\n${int(r0?.readers)} sockets, ${r0?.accounts} accounts, every socket read (frames counted), 2 probes per account; the server publishes ${int(r0?.rate)} changes/s round robin (lib/control.mjs \`sustain\`) for ${r0?.seconds} s: the held load. "Delivered" = frames received ÷ time until the last one; thirds of the run are the "runs"; a server lagging 2 s behind its schedule stops (overloaded).${c0 ? ` Capacity: then ${int(c0.offeredDeliveriesPerSecond)} deliveries/s offered for ${c0.seconds} s, more than either server keeps up with; the deliveries per second until it fell 2 s behind (and the backlog arrived) are what it sustains.` : ''}\n\n${table(
      ['server', 'held load offered', 'delivered/s', 'p50 ms', 'p99 ms (min–max of thirds)', 'max ms', 'server busy', 'server CPU µs per delivery', 'CPU ÷ floor', 'RSS MiB', 'RSS slope MiB/min (after 20 %)', 'p99 ÷ floor', 'capacity: delivered/s', 'capacity ÷ floor', 'generator saturated', 'target', ''],
      rows,
    )}\n${repeatsNote(out, 'wsSustained', kinds, 'Capacity (delivered/s)', int)}${failures(out, 'wsSustained', kinds)}${loadNote(out, 'wsSustained', kinds)}\n`);
  }
  // W5
  {
    const rows = [];
    const floor = get(out, 'wsStorm', FLOOR)?.W5;
    for (const k of kinds) {
      const r = get(out, 'wsStorm', k)?.W5;
      if (!r) continue;
      const broken = r.runs.filter((x) => x.missedReplay > 0 || x.opened < x.sockets).length;
      rows.push([
        `**${k}**`,
        int(r.runs[0]?.sockets),
        broken ? `– (${broken} of ${r.runs.length} runs lost sockets or replays)` : `${int(r.perSecond)}${spread(r.min, r.max, int)}`,
        f2(r.cpuPerReconnectMs),
        ratio(r.cpuPerReconnectMs, floor?.cpuPerReconnectMs),
        ratio(r.perSecond, floor?.perSecond),
        String(r.missedReplay),
        r.genSaturated ? '⚠️ yes' : 'no',
        module(k) ? '≥ 0.5× floor, all replayed' : '',
        module(k) && floor ? yes(!broken && by(r.perSecond, floor.perSecond) >= 0.5) : '',
      ]);
    }
    s.push(`### W5: reconnect storm with \`pushState\`\n\n${int(get(out, 'wsStorm', FLOOR)?.W5.runs[0]?.sockets)} sockets (5 per account) drop; one change is published to each account; all reconnect and send \`WebSocketPushEnable\` with the \`pushState\` they last received (512 in flight). Rate = sockets ÷ time until the last one received its missed change.\n\n${table(
      ['server', 'sockets', 'reconnects/s median (min–max)', 'server CPU ms per reconnect', 'CPU ÷ floor', 'rate ÷ floor', 'missed changes not replayed', 'generator saturated', 'target', ''],
      rows,
    )}\n${repeatsNote(out, 'wsStorm', kinds, 'W5 reconnects/s', int)}${failures(out, 'wsStorm', kinds)}${loadNote(out, 'wsStorm', kinds)}\n`);
  }
  s.push(analysis());
  return s.join('\n');
}

// The floor of Nest's `@Sse` (`sseFloor`, optional): the least a stream costs through Nest's SSE pipeline,
// for the `sse` transport, which must go through it. One `@Sse` route on the default Express adapter, the
// floor's trivial Basic check and replay, a per-account registry of subscribers, and per change one frame
// string handed to each (Nest's SseStream still frames it per stream). No guard, pipe or filter: what is
// left is Express's router and body parsers, Nest's route handler, and `@Sse`'s Observable, rxjs chain,
// Transform stream, pipe, AbortController and timer per stream.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { startControl } from '../lib/control.mjs';
import { dieWithParent, accountsOfUser } from '../lib/common.mjs';
import { History, userOf } from '../lib/history.mjs';

const require = createRequire(import.meta.url);
const { Controller, Module, Sse, Req, UnauthorizedException } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { Observable } = require('rxjs');

dieWithParent();
const history = new History();
/** accountId -> Set<Subscriber> */
const registry = new Map();
let streams = 0;

class EventSourceController {
  events(req) {
    const user = userOf(req.headers.authorization);
    if (!user) throw new UnauthorizedException();
    const accounts = accountsOfUser(user);
    const last = req.headers['last-event-id'];
    const changed = (last && history.since(last, accounts)) || history.latestOf(accounts);
    return new Observable((subscriber) => {
      streams++;
      subscriber.next({ type: 'state', id: history.currentId(), retry: 2000, data: JSON.stringify({ '@type': 'StateChange', changed }) });
      for (const a of accounts) {
        let set = registry.get(a);
        if (!set) registry.set(a, (set = new Set()));
        set.add(subscriber);
      }
      return () => {
        streams--;
        for (const a of accounts) {
          const set = registry.get(a);
          set.delete(subscriber);
          if (set.size === 0) registry.delete(a);
        }
      };
    });
  }
}
Req()(EventSourceController.prototype, 'events', 0);
Reflect.decorate(
  [Sse('jmap/eventsource')],
  EventSourceController.prototype,
  'events',
  Object.getOwnPropertyDescriptor(EventSourceController.prototype, 'events'),
);
Reflect.decorate([Controller()], EventSourceController);

class AppModule {}
Reflect.decorate([Module({ controllers: [EventSourceController] })], AppModule);

function publish(accountId, changed) {
  const id = history.append(accountId, changed);
  const set = registry.get(accountId);
  if (!set) return;
  const message = { type: 'state', id, data: JSON.stringify({ '@type': 'StateChange', changed: { [accountId]: changed } }) };
  for (const subscriber of set) subscriber.next(message);
}

const app = await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const server = app.getHttpServer();
const ctl = await startControl({ publish, httpServer: server, info: { get streams() { return streams; } } });
process.stdout.write('READY ' + JSON.stringify({ http: server.address().port, ctl }) + '\n');

// The naive way a user writes JMAP push with Nest: one @Sse route, a global rxjs Subject filtered per
// stream, JSON built per stream by Nest, an interval() per stream for pings. Decorators applied as calls.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { startControl } from '../lib/control.mjs';
import { dieWithParent, accountsOfUser } from '../lib/common.mjs';
import { History, userOf } from '../lib/history.mjs';

const require = createRequire(import.meta.url);
const { Controller, Module, Sse, Req, Query, UnauthorizedException } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { Subject, interval, merge, of, EMPTY } = require('rxjs');
const { filter, map } = require('rxjs/operators');

dieWithParent();
const history = new History();
const changes = new Subject();
let streams = 0;

class EventSourceController {
  events(req, query) {
    const user = userOf(req.headers.authorization);
    if (!user) throw new UnauthorizedException();
    const accounts = accountsOfUser(user);
    const ping = Number(query.ping ?? 0) || 0;
    const last = req.headers['last-event-id'];
    const first = (last && history.since(last, accounts)) || history.latestOf(accounts);
    streams++;
    req.on('close', () => streams--);
    const state$ = changes.pipe(
      filter((c) => accounts.includes(c.accountId)),
      map((c) => ({ type: 'state', id: c.id, data: { '@type': 'StateChange', changed: { [c.accountId]: c.changed } } })),
    );
    const ping$ = ping > 0 ? interval(ping * 1000).pipe(map(() => ({ type: 'ping', data: { interval: ping } }))) : EMPTY;
    return merge(
      of({ type: 'state', id: history.currentId(), retry: 2000, data: { '@type': 'StateChange', changed: first } }),
      state$,
      ping$,
    );
  }
}
Req()(EventSourceController.prototype, 'events', 0);
Query()(EventSourceController.prototype, 'events', 1);
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
  changes.next({ id, accountId, changed });
}

const app = await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const server = app.getHttpServer();
const ctl = await startControl({ publish, httpServer: server, info: { get streams() { return streams; } } });
process.stdout.write('READY ' + JSON.stringify({ http: server.address().port, ctl }) + '\n');

import type { MessageEvent } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Subscriber } from 'rxjs';
import type { StateEvent } from './state-event';
import { ResponseWatch } from './response-watch';
import type { StreamSink } from './stream-sink.interface';

/**
 * The `sse` transport: frames become `MessageEvent`s of the Observable an `@Sse` handler returns.
 * Each carries an explicit id, because Nest's `SseStream` numbers id-less messages (1, 2, 3…), which
 * would hand the client ids this server never issued.
 */
export class SseMessageSink extends ResponseWatch implements StreamSink {
  constructor(
    private readonly subscriber: Subscriber<MessageEvent>,
    response: ServerResponse,
  ) {
    super(response);
  }

  writeState(event: StateEvent, retryMs?: number): void {
    this.subscriber.next({ type: 'state', id: event.id, retry: retryMs, data: event.json });
  }

  writeId(id: string, retryMs?: number): void {
    this.subscriber.next({ id, retry: retryMs });
  }

  writePing(id: string, intervalSeconds: number): void {
    this.subscriber.next({ type: 'ping', id, data: `{"interval":${intervalSeconds}}` });
  }

  writeComment(): void {
    this.subscriber.next({ comment: '' });
  }

  protected finish(): void {
    this.subscriber.complete();
  }
}

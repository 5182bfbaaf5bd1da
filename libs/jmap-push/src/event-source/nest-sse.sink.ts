import type { MessageEvent } from '@nestjs/common';
import type { Subscriber } from 'rxjs';
import type { StateEvent } from '../subscription/state-event';
import { EventSourceSink, type Flow } from './event-source.sink';

/**
 * The `sse` transport: frames become `MessageEvent`s of the Observable an `@Sse` handler returns.
 * Each carries an explicit id, because Nest's `SseStream` numbers id-less messages (1, 2, 3…), which
 * would hand the client ids this server never issued. Made at admission; Nest subscribes later.
 */
export class NestSseSink extends EventSourceSink {
  private subscriber: Subscriber<MessageEvent> | undefined;

  /** Nest subscribed to the handler's Observable: frames can flow. */
  attach(subscriber: Subscriber<MessageEvent>): void {
    this.subscriber = subscriber;
  }

  writeState(event: StateEvent): void {
    this.subscriber?.next({ type: 'state', id: event.id, retry: this.takeRetry(), data: event.json });
  }

  writeOpen(id: string): void {
    this.subscriber?.next({ id, retry: this.takeRetry() });
  }

  writePing(id: string, intervalSeconds: number): void {
    this.subscriber?.next({ type: 'ping', id, data: `{"interval":${intervalSeconds}}` });
  }

  writeWaiting(): void {
    this.subscriber?.next({ comment: '' });
  }

  protected get flow(): Flow {
    return this.response;
  }

  protected finish(): void {
    this.subscriber?.complete();
  }
}

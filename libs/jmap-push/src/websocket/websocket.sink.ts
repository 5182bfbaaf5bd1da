import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { EndReason } from '../subscription/end-reason';
import type { PushSink } from '../subscription/push-sink.interface';
import type { StateEvent } from '../subscription/state-event';
import { webSocketStateFrame } from './websocket-frames';

/** Close codes (RFC 6455 section 7.4.1) for the ways a subscription ends that leave the socket open. */
const CLOSE_CODES: Partial<Record<EndReason, [number, string]>> = {
  shutdown: [1001, 'server shutting down'],
  revoked: [1008, 'access revoked'],
  expired: [1008, 'session expired'],
  signedOut: [1008, 'signed out'],
  replayFailed: [1011, 'missed changes could not be read'],
  closeAfterState: [1000, ''],
};

/**
 * A WebSocket as a push sink. State changes are written as pre-framed bytes to the socket itself (the
 * frame is the same for every socket that gets the change); everything else goes through `ws`. Both
 * write in call order: `ws` sends synchronously while permessage-deflate is off, which it is here.
 */
export class WebSocketSink implements PushSink {
  private drainListener: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
  ) {}

  /** RFC 8887 pushes nothing until something changes: a client without a `pushState` learns it then. */
  writeOpen(): void {
    // Nothing to send.
  }

  writeState(event: StateEvent): void {
    // A data frame after the close frame would break the protocol; the close that follows ends the subscription.
    if (this.ws.readyState === WebSocket.OPEN) this.socket.write(event.encoded(webSocketStateFrame));
  }

  /** Liveness is the connection's WebSocket ping, not a push frame. */
  writePing(): void {
    // Nothing to send.
  }

  writeWaiting(): void {
    // Nothing to send: the socket is open already.
  }

  get backpressured(): boolean {
    return this.socket.writableNeedDrain;
  }

  get progress(): number {
    // The upgraded connection is a net.Socket; a Duplex of another kind shows no progress to watch.
    const socket = this.socket as Duplex & { bytesWritten?: number };
    return (socket.bytesWritten ?? 0) - this.socket.writableLength;
  }

  onDrain(listener: () => void): void {
    this.stopWaitingForDrain();
    this.drainListener = listener;
    this.socket.once('drain', listener);
  }

  close(reason: EndReason): void {
    this.stopWaitingForDrain();
    if (reason === 'clientLeft') return;
    const code = CLOSE_CODES[reason];
    // A stalled or broken peer would never answer a closing handshake.
    if (!code) this.ws.terminate();
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.close(...code);
  }

  private stopWaitingForDrain(): void {
    if (this.drainListener) this.socket.off('drain', this.drainListener);
    this.drainListener = undefined;
  }
}
